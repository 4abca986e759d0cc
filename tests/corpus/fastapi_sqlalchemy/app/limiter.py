"""slowapi limiter; decorated endpoints must accept ``request: Request``."""

from slowapi import Limiter
from slowapi.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)
