-- Bulk loads (seed-demo, import): COPY into conversation and reservations with the triggers that keep their
-- derived tables paused, then recompute those tables once (stats_rollups_rebuild(), migration 0252). All in
-- the loader's one transaction: a failure rolls the paused triggers back with the rows.

-- name: rollups_rebuild_available
SELECT to_regprocedure('stats_rollups_rebuild()') IS NOT NULL;

-- name: rollups_pause
ALTER TABLE conversation DISABLE TRIGGER USER;
ALTER TABLE reservations DISABLE TRIGGER USER;
ALTER TABLE conversation_reply_delays DISABLE TRIGGER USER;

-- name: rollups_rebuild_and_resume
-- The rebuild runs with conversation_reply_delays' triggers still paused (it counts the pairs itself).
SELECT stats_rollups_rebuild();
ALTER TABLE conversation ENABLE TRIGGER USER;
ALTER TABLE reservations ENABLE TRIGGER USER;
ALTER TABLE conversation_reply_delays ENABLE TRIGGER USER;
