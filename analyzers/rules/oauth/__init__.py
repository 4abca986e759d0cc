"""AR4xx: OAuth and redirects (state, PKCE, transport, open redirects)."""
