"""User accounts: password hashing, roles, login throttling and refresh-token sessions."""
