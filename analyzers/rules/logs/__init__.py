"""AR7xx: secrets and tokens in logs."""
