-- The app-config singleton (at most one row, enforced by uq_app_config_singleton).

-- name: app_config_version
SELECT id, updated_at FROM app_config ORDER BY id DESC LIMIT 1;

-- name: app_config_row
SELECT id, config, created_at, updated_at FROM app_config ORDER BY id DESC LIMIT 1;

-- name: app_config_insert_first
INSERT INTO app_config (config) VALUES ($1) ON CONFLICT DO NOTHING;

-- name: app_config_write
-- A byte-identical document keeps its updated_at (so caches stay valid).
UPDATE app_config
   SET config = $1,
       updated_at = CASE WHEN config = $1::jsonb THEN updated_at ELSE clock_timestamp() END
 WHERE id = (SELECT max(id) FROM app_config)
RETURNING id, config, created_at, updated_at;

-- name: app_config_delete_all
DELETE FROM app_config;

-- name: app_config_insert
INSERT INTO app_config (config) VALUES ($1) RETURNING id, config, created_at, updated_at;

-- name: app_config_lock
SELECT pg_advisory_xact_lock(hashtext('mawid:app_config'));
