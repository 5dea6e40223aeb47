-- Users, refresh-token sessions and the login throttle (auth feature).

-- name: user_by_email
SELECT id, email, hashed_password, is_active, is_superuser, is_verified, role, created_at, session_epoch
FROM users WHERE lower(email) = lower($1);

-- name: user_by_id
SELECT id, email, hashed_password, is_active, is_superuser, is_verified, role, created_at, session_epoch
FROM users WHERE id = $1;

-- name: user_list
SELECT id, email, hashed_password, is_active, is_superuser, is_verified, role, created_at, session_epoch
FROM users ORDER BY created_at, email;

-- name: users_exist
SELECT EXISTS (SELECT 1 FROM users);

-- name: user_insert
INSERT INTO users (email, hashed_password, is_active, is_superuser, is_verified, role)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id, email, hashed_password, is_active, is_superuser, is_verified, role, created_at, session_epoch;

-- name: user_update
-- $8: end every access token issued so far (password changed, user disabled).
UPDATE users SET email = $2, hashed_password = $3, is_active = $4, is_superuser = $5, is_verified = $6, role = $7,
                 session_epoch = session_epoch + CASE WHEN $8::boolean THEN 1 ELSE 0 END
WHERE id = $1
RETURNING id, email, hashed_password, is_active, is_superuser, is_verified, role, created_at, session_epoch;

-- name: user_for_update
SELECT id, email, hashed_password, is_active, is_superuser, is_verified, role, created_at, session_epoch
FROM users WHERE id = $1 FOR UPDATE;

-- name: user_rehash_password
-- Only replaces the hash that was verified, so a concurrent password change wins.
UPDATE users SET hashed_password = $3 WHERE id = $1 AND hashed_password = $2;

-- name: user_delete
DELETE FROM users WHERE id = $1 RETURNING id;

-- name: admin_set_lock
-- Serialises changes to who is an admin: the first admin's creation, and demoting or removing one.
SELECT pg_advisory_xact_lock(5000, 1);

-- name: other_active_admins
SELECT count(*) FROM users WHERE role = 'admin' AND is_active AND id <> $1;

-- name: refresh_token_insert
INSERT INTO refresh_tokens (user_id, family_id, token_hash, issued_at, expires_at)
VALUES ($1, $2, $3, $4, $5)
RETURNING id;

-- name: refresh_token_for_update
SELECT t.id, t.user_id, t.family_id, t.expires_at, t.used_at, t.revoked_at
FROM refresh_tokens t WHERE t.token_hash = $1 FOR UPDATE;

-- name: refresh_token_owner
SELECT u.id AS user_id, u.email
FROM refresh_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1;

-- name: refresh_token_mark_used
UPDATE refresh_tokens SET used_at = $2, replaced_by = $3 WHERE id = $1;

-- name: refresh_family_revoke
UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL;

-- name: refresh_user_revoke_all
UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL;

-- name: refresh_user_prune_expired
-- Expired tokens of one user, a day after expiry (kept that long so a late reuse is still recognised).
DELETE FROM refresh_tokens WHERE user_id = $1 AND expires_at < $2::timestamptz - interval '1 day';

-- name: login_attempt_lock
-- Serialises concurrent attempts on one account, then on one address (always in this order).
SELECT pg_advisory_xact_lock(5001, hashtext($1)), pg_advisory_xact_lock(5002, hashtext($2));

-- name: login_attempt_window
SELECT count(*) FILTER (WHERE account = $1 AND address = $2) AS pair_count,
       min(attempted_at) FILTER (WHERE account = $1 AND address = $2) AS pair_oldest,
       count(*) FILTER (WHERE account = $1) AS account_count,
       min(attempted_at) FILTER (WHERE account = $1) AS account_oldest,
       count(*) FILTER (WHERE address = $2) AS address_count,
       min(attempted_at) FILTER (WHERE address = $2) AS address_oldest,
       EXISTS (SELECT 1 FROM auth_known_addresses k
               WHERE k.account = $1 AND k.address = $2 AND k.last_success > $4) AS known_address
FROM auth_login_attempts
WHERE (account = $1 OR address = $2) AND attempted_at > $3;

-- name: login_attempt_insert
INSERT INTO auth_login_attempts (account, address, attempted_at) VALUES ($1, $2, $3) RETURNING id;

-- name: login_attempt_succeeded
-- A successful login forgets this attempt and the failures of this account from this address; strangers'
-- failures elsewhere still count against the account for addresses it was never seen at.
DELETE FROM auth_login_attempts WHERE (account = $1 AND address = $3) OR id = $2;

-- name: login_known_address_remember
INSERT INTO auth_known_addresses (account, address, last_success) VALUES ($1, $2, $3)
ON CONFLICT (account, address) DO UPDATE SET last_success = EXCLUDED.last_success;

-- name: login_known_address_prune
DELETE FROM auth_known_addresses WHERE last_success < $1;

-- name: login_attempt_prune
DELETE FROM auth_login_attempts WHERE attempted_at < $1;

-- name: user_end_all_sessions
-- Logout everywhere: every refresh token revoked, every access token issued so far refused.
WITH revoked AS (UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL)
UPDATE users SET session_epoch = session_epoch + 1 WHERE id = $1 RETURNING id;
