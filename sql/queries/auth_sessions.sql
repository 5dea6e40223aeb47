-- What the auth middleware checks on every request (through a short cache), and the generated signing key.

-- name: account_session_state
SELECT id, email, role, is_active, session_epoch FROM users WHERE id = $1;

-- name: auth_secret_offer
-- Race-free: of several processes starting at once, the first insert wins and all read it back.
INSERT INTO auth_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING;

-- name: auth_secret_get
SELECT value FROM auth_secrets WHERE name = $1;
