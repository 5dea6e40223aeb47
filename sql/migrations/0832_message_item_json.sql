-- 0832_message_item_json: the /conversations message item (role, message, date, time) built by PostgreSQL.
--
-- GET /conversations/{wa_id} (both orders) and GET /conversations/calendar/events assemble their items in the
-- statement; one definition keeps the three alike. Plain SQL, inlined into the statements that call it (STABLE,
-- like to_char inside).
CREATE FUNCTION message_item_json(role text, message text, local_date date, local_time time) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('role', role, 'message', message, 'date', to_char(local_date, 'YYYY-MM-DD'),
                             'time', to_char(local_time, 'HH24:MI:SS'))
$$;
