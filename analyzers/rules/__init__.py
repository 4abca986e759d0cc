"""The rule families, one module each. Importing this package registers every rule."""

from . import access, credentials, injection, jwt, login, logs, oauth, payloads, sessions, tokens  # noqa: F401
