"""AR5xx: credentials (password hashing and storage, hard-coded secrets)."""
