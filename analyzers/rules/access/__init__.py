"""AR1xx: who may call a route, and with what (authentication, ownership, roles, payloads, login endpoints)."""
