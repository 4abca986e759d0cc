"""The rule families, one module each. Importing this package registers every rule."""

from . import access, credentials, injection, jwt, logs, oauth, sessions, tokens  # noqa: F401
