"""AR6xx: injection (SQL built from strings, NoSQL operators, error details leaked)."""
