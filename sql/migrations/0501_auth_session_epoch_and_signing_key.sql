-- Credentials checked where they are used (issue 19).
--
-- auth_secrets: the access-token signing key generated on first start when JWT_SECRET
-- is unset, so every process and every restart agree on it without sharing a secret
-- with Meta. Created race-free (INSERT ... ON CONFLICT DO NOTHING, then SELECT).
CREATE TABLE auth_secrets (
    name        text        PRIMARY KEY,
    value       text        NOT NULL CHECK (length(value) >= 32),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- session_epoch: carried in every access token as `ver`; bumping it (password change,
-- disable, logout everywhere) makes every token issued before it useless at once.
ALTER TABLE users ADD COLUMN session_epoch integer NOT NULL DEFAULT 0;

-- Addresses an account logged in from successfully: failures by strangers elsewhere
-- never lock the account out from these (docs/security.md, login throttling).
CREATE TABLE auth_known_addresses (
    account       text        NOT NULL,  -- lower(email)
    address       text        NOT NULL,
    last_success  timestamptz NOT NULL,
    PRIMARY KEY (account, address)
);

CREATE INDEX idx_auth_login_attempts_pair ON auth_login_attempts (account, address, attempted_at);
