from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle


class LoginThrottle(SimpleRateThrottle):
    """5 attempts a minute per (client IP, username) pair."""

    scope = "login"

    def get_cache_key(self, request, view):
        username = str(request.data.get("username", "")).lower()
        return self.cache_format % {"scope": self.scope, "ident": f"{self.get_ident(request)}:{username}"}


class PasswordResetThrottle(AnonRateThrottle):
    scope = "password_reset"
