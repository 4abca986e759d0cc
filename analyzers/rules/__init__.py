"""The rule families. Importing this package registers every rule."""

from . import jwt  # noqa: F401
