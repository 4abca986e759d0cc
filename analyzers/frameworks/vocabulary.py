"""Names that mean authentication whatever the framework: decorators, checks."""

from __future__ import annotations

# Known authentication guards, by qualified name (decorators, or dependencies' callables).
AUTH_DECORATORS = frozenset({
    "flask_login.login_required", "flask_login.utils.login_required",
    "flask_jwt_extended.jwt_required", "flask_jwt_extended.view_decorators.jwt_required",
    "flask_jwt_extended.fresh_jwt_required", "flask_jwt_extended.verify_jwt_in_request",
    "flask_httpauth.HTTPBasicAuth().login_required", "flask_httpauth.HTTPTokenAuth().login_required",
    "flask_httpauth.HTTPDigestAuth().login_required", "flask_security.auth_required",
    "flask_security.login_required", "flask_security.roles_required", "flask_security.roles_accepted",
    "flask_security.permissions_required", "flask_praetorian.auth_required", "flask_praetorian.roles_required",
    "starlette.authentication.requires",
    "django.contrib.auth.decorators.login_required", "django.contrib.auth.decorators.permission_required",
    "django.contrib.auth.decorators.user_passes_test", "django.contrib.admin.views.decorators.staff_member_required",
})


ROLE_DECORATORS = frozenset({
    "flask_security.roles_required", "flask_security.roles_accepted", "flask_security.permissions_required",
    "flask_praetorian.roles_required", "django.contrib.auth.decorators.permission_required",
    "django.contrib.auth.decorators.user_passes_test", "django.contrib.admin.views.decorators.staff_member_required",
})


# Callables whose failure means "not authenticated" inside a body or a dependency.
AUTH_CHECK_CALLS = frozenset({
    "flask_jwt_extended.verify_jwt_in_request", "flask_jwt_extended.get_jwt_identity",
    "flask_jwt_extended.get_current_user", "flask_jwt_extended.current_user",
    "aiohttp_security.check_authorized", "aiohttp_security.check_permission",
})
