"""AR3xx: sessions and cookies (flags, lifetime, CSRF, CORS, debug modes)."""
