"""slowapi works with plain Starlette endpoints too; they must take ``request``."""

from slowapi import Limiter
from slowapi.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)
