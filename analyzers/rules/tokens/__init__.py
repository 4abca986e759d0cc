"""AR2xx: tokens (JWT verification and lifetime, signing secrets, token generation and refresh)."""
