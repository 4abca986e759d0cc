"""AR107–AR108 (access control on routes): login, sign-up and reset flows."""
