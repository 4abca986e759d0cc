"""AR303 csrf-disabled: CSRF protection disabled."""

from __future__ import annotations

import re

import libcst as cst

from ... import markup
from ...context import FileContext
from ...findings import Confidence, Severity
from ...frameworks import AUTH_DECORATORS, PRINCIPAL_QUALS, csrf_middleware_left_out
from ...rule import Invalid, Valid
from .._common import target_name
from ._shared import SettingsRule, identifier_words

_CSRF_EXEMPT = frozenset({"django.views.decorators.csrf.csrf_exempt"})
_METHOD_DECORATOR = frozenset({"django.utils.decorators.method_decorator"})
_SAFE_ONLY = frozenset({"django.views.decorators.http.require_GET", "django.views.decorators.http.require_safe"})
_REQUIRE_METHODS = frozenset({"django.views.decorators.http.require_http_methods"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Words in a view body that show the request is authenticated some way other than a cookie
# (a webhook signature, an Authorization header, a SAML assertion): CSRF does not apply.
_NON_COOKIE_AUTH = re.compile(
    r"signature|hmac|compare_digest|construct_event|verify_webhook|webhook_secret|signing_secret|saml|"
    r"authorization|bearer|x_hub|x-hub|api_?key|x-api-key",
    re.IGNORECASE,
)
# CSRF rides on a cookie the browser sends by itself. These show a view acting for the session's user.
_SESSION_ATTRS = frozenset({"user", "session", "auser"})
_SESSION_QUALS = PRINCIPAL_QUALS | frozenset({"flask.session", "flask.globals.session", "quart.session"})
_TOKEN_DECORATOR_ROOTS = ("flask_jwt_extended", "flask_praetorian", "flask_httpauth")
# Calls that take the request without acting as its user: rendering and responses.
_REQUEST_CONSUMERS = frozenset({"render", "render_to_response", "redirect", "HttpResponse", "JsonResponse",
                                "TemplateResponse", "get_object_or_404", "len", "str", "print", "isinstance"})
_CSRF_MIDDLEWARE = "django.middleware.csrf.CsrfViewMiddleware"
_SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"
_SESSION_AUTHENTICATION = frozenset({"rest_framework.authentication.SessionAuthentication"})


class CsrfDisabled(SettingsRule):
    """What it does: flags CSRF protection turned off: Django's ``@csrf_exempt`` (also through
    ``method_decorator`` and ``csrf_exempt(view)`` in ``urls.py``) on views that accept state-changing
    requests, Flask-WTF's ``@csrf.exempt``/``csrf.exempt(blueprint)``, ``WTF_CSRF_ENABLED = False`` and
    ``WTF_CSRF_CHECK_DEFAULT = False`` outside test configuration, a Django ``MIDDLEWARE`` with sessions
    but no ``CsrfViewMiddleware`` (or that removes it), an aiohttp ``Application(middlewares=[...])`` with
    cookie sessions that leaves out the CSRF middleware the project defines, and Django REST framework
    ``SessionAuthentication`` subclasses whose ``enforce_csrf`` does nothing. Views that verify a webhook signature, read an
    ``Authorization`` header or receive SAML assertions are not reported: they are not cookie-authenticated.

    Why is this bad: a logged-in user's browser sends the session cookie with any form post a third-party
    site makes; without the CSRF token check that site can change the password, the e-mail or transfer
    funds on the user's behalf.

    Example:
        @csrf_exempt
        def change_email(request): ...

    Use instead:
        def change_email(request): ...  # and send the CSRF token from the page
    """

    id = "AR303"
    name = "csrf-disabled"
    title = "CSRF protection disabled"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 352
    prefilter = re.compile(r"(?i)csrf|SessionMiddleware|middlewares\s*=")
    in_tests = False
    KEYS = frozenset({"WTF_CSRF_ENABLED", "WTF_CSRF_CHECK_DEFAULT"})

    VALID = [
        # A webhook that verifies its signature.
        "from django.views.decorators.csrf import csrf_exempt\n"
        "import hmac\n"
        "@csrf_exempt\n"
        "def stripe_webhook(request):\n"
        '    sig = request.headers["Stripe-Signature"]\n'
        "    event = stripe.Webhook.construct_event(request.body, sig, SECRET)\n",
        # Token-authenticated API: no cookie, no CSRF.
        "from django.views.decorators.csrf import csrf_exempt\n"
        "@csrf_exempt\n"
        "def api_create(request):\n"
        '    token = request.META["HTTP_AUTHORIZATION"]\n',
        # Safe methods only.
        "from django.views.decorators.csrf import csrf_exempt\n"
        "from django.views.decorators.http import require_GET\n"
        "@csrf_exempt\n@require_GET\ndef feed(request):\n    return render(request, 'feed.xml')\n",
        # A Flask route that only answers GET.
        "from flask_wtf.csrf import CSRFProtect\ncsrf = CSRFProtect(app)\n"
        "@app.route('/health')\n@csrf.exempt\ndef health():\n    return 'ok'\n",
        # An API authenticated by a key header, through the project's own decorator: no cookie, no CSRF.
        "from django.views.decorators.csrf import csrf_exempt\n"
        "def authorize(f):\n"
        "    def wrapper(request, *a):\n"
        "        request.project = Project.objects.get(api_key=request.META.get('HTTP_X_API_KEY'))\n"
        "        return f(request, *a)\n"
        "    return wrapper\n"
        "@csrf_exempt\n@authorize\n"
        "def create_check(request):\n"
        "    Check.objects.create(project=request.project)\n",
        # A capability URL hit by cron: the unguessable code is the credential, no session is read.
        "from django.views.decorators.csrf import csrf_exempt\n"
        "@csrf_exempt\n"
        "def ping(request, code):\n"
        "    check = get_object_or_404(Check, code=code)\n"
        "    check.ping(request.META.get('REMOTE_ADDR'), request.body)\n",
        # A search with no principal in sight.
        "from django.views.decorators.csrf import csrf_exempt\n"
        "@csrf_exempt\n"
        "def docs_search(request):\n"
        "    return render(request, 'results.html', {'hits': search(request.GET['q'])})\n",
        # Some other project's csrf_exempt.
        "from myproject.utils import csrf_exempt\n@csrf_exempt\ndef f(request):\n    pass",
        # Test configuration.
        "class TestingConfig(Config):\n    WTF_CSRF_ENABLED = False",
        Valid("WTF_CSRF_ENABLED = False", path="config/testing.py"),
        "if app.testing:\n    app.config['WTF_CSRF_ENABLED'] = False",
        "WTF_CSRF_ENABLED = True",
        # CSRF middleware present.
        "MIDDLEWARE = [\n    'django.contrib.sessions.middleware.SessionMiddleware',\n"
        "    'django.middleware.csrf.CsrfViewMiddleware',\n]",
        # No sessions, no CSRF needed.
        "MIDDLEWARE = ['django.middleware.common.CommonMiddleware']",
        # enforce_csrf that still checks.
        "from rest_framework.authentication import SessionAuthentication\n"
        "class Auth(SessionAuthentication):\n"
        "    def enforce_csrf(self, request):\n"
        "        return super().enforce_csrf(request)\n",
    ]
    INVALID = [
        Invalid(
            "from django.views.decorators.csrf import csrf_exempt\n"
            "@csrf_exempt\n"
            "def change_email(request):\n"
            "    request.user.email = request.POST['email']\n",
            fixed="from django.views.decorators.csrf import csrf_exempt\n"
            "def change_email(request):\n"
            "    request.user.email = request.POST['email']\n",
        ),
        Invalid(
            "from django.views.decorators import csrf\n"
            "from django.utils.decorators import method_decorator\n"
            "@method_decorator(csrf.csrf_exempt, name='dispatch')\n"
            "class TransferView(View):\n"
            "    def post(self, request):\n"
            "        self.request.user.account.transfer(request.POST['to'])\n",
            fixed="from django.views.decorators import csrf\n"
            "from django.utils.decorators import method_decorator\n"
            "class TransferView(View):\n"
            "    def post(self, request):\n"
            "        self.request.user.account.transfer(request.POST['to'])\n",
        ),
        # The session's user, reached through a helper of the same module.
        Invalid(
            "from django.views.decorators.csrf import csrf_exempt\n"
            "def _account(req):\n"
            "    return Account.objects.get(owner=req.user)\n"
            "@csrf_exempt\n"
            "def close(request):\n"
            "    _account(request).close()\n",
            fixed="from django.views.decorators.csrf import csrf_exempt\n"
            "def _account(req):\n"
            "    return Account.objects.get(owner=req.user)\n"
            "def close(request):\n"
            "    _account(request).close()\n",
        ),
        # The request handed to code in another module: it may act as the session's user (medium confidence).
        Invalid(
            "from django.views.decorators.csrf import csrf_exempt\n"
            "from .services import apply_settings\n"
            "@csrf_exempt\n"
            "def save_settings(request):\n"
            "    apply_settings(request)\n",
            fixed="from django.views.decorators.csrf import csrf_exempt\n"
            "from .services import apply_settings\n"
            "def save_settings(request):\n"
            "    apply_settings(request)\n",
            confidence=Confidence.MEDIUM,
        ),
        Invalid(
            "from django.views.decorators.csrf import csrf_exempt as no_csrf\n"
            "urlpatterns = [path('transfer/', no_csrf(views.transfer))]\n",
            fixed="from django.views.decorators.csrf import csrf_exempt as no_csrf\n"
            "urlpatterns = [path('transfer/', views.transfer)]\n",
        ),
        Invalid(
            "from flask_wtf.csrf import CSRFProtect\ncsrf = CSRFProtect(app)\n"
            "from flask_login import current_user\n"
            "@app.route('/transfer', methods=['POST'])\n@csrf.exempt\ndef transfer():\n    current_user.pay()\n",
            fixed="from flask_wtf.csrf import CSRFProtect\ncsrf = CSRFProtect(app)\nfrom flask_login import current_user\n"
            "@app.route('/transfer', methods=['POST'])\ndef transfer():\n    current_user.pay()\n",
        ),
        Invalid(
            "from app.extensions import csrf\ncsrf.exempt(api_bp)\n",
            fixed="from app.extensions import csrf\n",
        ),
        Invalid("WTF_CSRF_ENABLED = False", fixed="WTF_CSRF_ENABLED = True"),
        Invalid(
            "class ProductionConfig:\n    WTF_CSRF_CHECK_DEFAULT = False",
            fixed="class ProductionConfig:\n    WTF_CSRF_CHECK_DEFAULT = True",
        ),
        Invalid(
            "app.config['WTF_CSRF_ENABLED'] = False",
            fixed="app.config['WTF_CSRF_ENABLED'] = True",
        ),
        Invalid(
            "MIDDLEWARE = [\n"
            "    'django.contrib.sessions.middleware.SessionMiddleware',\n"
            "    'django.middleware.common.CommonMiddleware',\n"
            "    'django.contrib.auth.middleware.AuthenticationMiddleware',\n"
            "]\n",
            fixed="MIDDLEWARE = [\n"
            "    'django.contrib.sessions.middleware.SessionMiddleware',\n"
            "    'django.middleware.common.CommonMiddleware',\n"
            "    'django.middleware.csrf.CsrfViewMiddleware',\n"
            "    'django.contrib.auth.middleware.AuthenticationMiddleware',\n"
            "]\n",
        ),
        Invalid("MIDDLEWARE.remove('django.middleware.csrf.CsrfViewMiddleware')"),
        Invalid(
            "from rest_framework.authentication import SessionAuthentication\n"
            "class CsrfExemptSessionAuthentication(SessionAuthentication):\n"
            "    def enforce_csrf(self, request):\n"
            "        return\n",
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._middleware: list[cst.Assign] = []
        self._mentions_csrf_middleware = False

    # --- decorators -------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.name.value == "enforce_csrf":
            self._check_enforce_csrf(node)
        for decorator in node.decorators:
            kind = self._exemption(decorator.decorator)
            if kind is None:
                continue
            if kind == "django" and (self._django_safe(node) or self._is_drf(node)):
                continue
            if kind == "flask" and self._flask_safe(node):
                continue
            confidence = self._session_evidence(node)
            if confidence is Confidence.HIGH and self._also_token_auth(node):
                confidence = Confidence.MEDIUM  # exempt on purpose for its API clients; cookie users still exposed
            if confidence is not None:
                self._report_decorator(decorator, node.name.value, confidence)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        for decorator in node.decorators:
            if self._exemption(decorator.decorator) == "django" and not self._uses_non_cookie_auth(node) \
                    and not self._is_drf(node):
                methods = [m for m in node.body.body if isinstance(m, cst.FunctionDef)]
                levels = [c for c in map(self._session_evidence, methods) if c is not None]
                if levels or self._has_login_mixin(node):
                    self._report_decorator(decorator, node.name.value, max(levels, default=Confidence.HIGH))

    # --- is the view authenticated by the session cookie? ----------------------------------
    def _session_evidence(self, node: cst.FunctionDef, depth: int = 0) -> Confidence | None:
        """HIGH when the view acts as the session's user (``request.user``, ``request.session``, ``current_user``,
        a login decorator), MEDIUM when it hands the request to code not followed here, None when nothing ties it
        to a session: a capability URL, a public search, a bot's webhook. Without ambient credentials a forged
        cross-site request gains nothing, so CSRF protection has nothing to protect."""
        ctx = self.ctx
        for decorator in node.decorators:
            name = ctx.qualname(decorator.decorator.func if isinstance(decorator.decorator, cst.Call)
                                else decorator.decorator) or ""
            if name in AUTH_DECORATORS and not name.startswith(_TOKEN_DECORATOR_ROOTS):
                return Confidence.HIGH
        requests = self._request_names(node)
        handed = False
        for child in ctx.descendants(node.body):
            if isinstance(child, cst.Attribute) and child.attr.value in _SESSION_ATTRS \
                    and self._is_request(child.value, requests):
                return Confidence.HIGH
            if isinstance(child, (cst.Name, cst.Attribute)) and ctx.qualname(child) in _SESSION_QUALS:
                return Confidence.HIGH
            if isinstance(child, cst.Call) and any(self._is_request(a.value, requests) for a in child.args):
                callee = child.func.value if isinstance(child.func, cst.Name) else None
                helper = ctx.index.functions.get(callee) if callee else None
                if helper is not None and depth < 2:
                    found = self._session_evidence(helper, depth + 1)
                    if found is Confidence.HIGH:
                        return found
                    handed = handed or found is not None
                elif (target_name(child.func) or "") not in _REQUEST_CONSUMERS:
                    handed = True
        return Confidence.MEDIUM if handed else None

    def _also_token_auth(self, node: cst.FunctionDef) -> bool:
        """The view authenticates API tokens too (``TokenAuthentication().authenticate(request)``)."""
        return any(isinstance(n, cst.Name) and "Token" in n.value and "Auth" in n.value
                   for n in self.ctx.descendants(node.body))

    @staticmethod
    def _request_names(node: cst.FunctionDef) -> frozenset[str]:
        names = [p.name.value for p in node.params.params]
        if names and names[0] in ("self", "cls"):
            names = names[1:]
        return frozenset(n for i, n in enumerate(names) if i == 0 or "req" in n)

    @staticmethod
    def _is_request(expr: cst.BaseExpression, requests: frozenset[str]) -> bool:
        if isinstance(expr, cst.Name):
            return expr.value in requests
        return isinstance(expr, cst.Attribute) and expr.attr.value == "request" \
            and isinstance(expr.value, cst.Name) and expr.value.value == "self"

    def _has_login_mixin(self, node: cst.ClassDef) -> bool:
        return any((target_name(base.value) or "").endswith(("LoginRequiredMixin", "PermissionRequiredMixin"))
                   for base in node.bases)

    def _exemption(self, expr: cst.BaseExpression) -> str | None:
        """``"django"``, ``"flask"`` or None for a decorator expression."""
        ctx = self.ctx
        if ctx.qualname(expr) in _CSRF_EXEMPT:
            return "django"
        if isinstance(expr, cst.Call) and ctx.qualname(expr.func) in _METHOD_DECORATOR:
            first = ctx.argument(expr, "decorator", 0)
            decorators = first.elements if isinstance(first, (cst.List, cst.Tuple)) else [first]
            for item in decorators:
                value = item.value if isinstance(item, cst.BaseElement) else item
                if value is not None and ctx.qualname(value) in _CSRF_EXEMPT:
                    return "django"
            return None
        if isinstance(expr, cst.Attribute) and expr.attr.value == "exempt" and self._is_csrf_protect(expr.value):
            return "flask"
        return None

    def _is_drf(self, node: cst.FunctionDef | cst.ClassDef) -> bool:
        """Django REST framework views are exempt already; its SessionAuthentication enforces CSRF itself."""
        if isinstance(node, cst.ClassDef):
            return any((self.ctx.qualname(b.value) or "").startswith("rest_framework") for b in node.bases)
        for decorator in node.decorators:
            expr = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
            if (self.ctx.qualname(expr) or "").startswith("rest_framework.decorators"):
                return True
        owner = self.ctx.enclosing(cst.ClassDef)
        return isinstance(owner, cst.ClassDef) and self._is_drf(owner)

    def _is_csrf_protect(self, node: cst.BaseExpression) -> bool:
        qualname = self.ctx.qualname(node) or ""
        if qualname.startswith("flask_wtf") and qualname.endswith("CSRFProtect()"):
            return True
        name = target_name(node)
        return name is not None and "csrf" in identifier_words(name) and not qualname.startswith("django")

    def _report_decorator(self, decorator: cst.Decorator, view: str, confidence: Confidence) -> None:
        pos = self.ctx.position(decorator)
        fix = self.ctx.replace_lines(pos.start.line, pos.end.line, "", "remove the CSRF exemption")
        self.report(decorator, f"{markup.code(self.ctx.code(decorator.decorator))} turns off CSRF protection for {markup.code(view)}, "
                    "which accepts state-changing requests authenticated by the session cookie; remove it and "
                    "send the CSRF token from the client", fix=fix, confidence=confidence)

    def _django_safe(self, node: cst.FunctionDef) -> bool:
        for decorator in node.decorators:
            expr = decorator.decorator
            if self.ctx.qualname(expr) in _SAFE_ONLY:
                return True
            if isinstance(expr, cst.Call) and self.ctx.qualname(expr.func) in _REQUIRE_METHODS:
                methods = self.ctx.literal(self.ctx.argument(expr, "request_method_list", 0))
                if isinstance(methods, (list, tuple)) and methods and set(map(str.upper, methods)) <= _SAFE_METHODS:
                    return True
        return self._uses_non_cookie_auth(node)

    def _flask_safe(self, node: cst.FunctionDef) -> bool:
        """Flask-WTF checks only unsafe methods: an exempt GET-only route loses nothing."""
        for decorator in node.decorators:
            expr = decorator.decorator
            if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute)):
                continue
            method = expr.func.attr.value
            if method in ("get", "head"):
                return True
            if method == "route":
                methods = self.ctx.literal(self.ctx.argument(expr, "methods"))
                if self.ctx.argument(expr, "methods") is None:
                    return True
                if isinstance(methods, (list, tuple)) and set(map(str.upper, methods)) <= _SAFE_METHODS:
                    return True
        return self._uses_non_cookie_auth(node)

    def _uses_non_cookie_auth(self, node: cst.CSTNode) -> bool:
        for child in self.ctx.descendants(node):
            if isinstance(child, cst.Decorator):
                continue
            text = None
            if isinstance(child, cst.Name):
                text = child.value
            elif isinstance(child, cst.SimpleString):
                text = child.value
            if text and _NON_COOKIE_AUTH.search(text):
                return True
        return False

    # --- csrf_exempt(view), csrf.exempt(bp), MIDDLEWARE.remove(...) --------------------
    def visit_Module(self, node: cst.Module) -> None:
        for left_out in csrf_middleware_left_out(self.ctx):
            self.report(left_out.listed, f"the app's middlewares leave out {markup.code(left_out.name)} (defined in "
                                         f"{markup.code(left_out.path)}) while its sessions ride on a cookie: no "
                                         f"form post is checked for a CSRF token; add it to the list")

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        ctx = self.ctx
        parent = self.ctx.stack[-2] if len(self.ctx.stack) > 1 else None
        if isinstance(parent, cst.Decorator):
            return  # handled with the decorated definition
        if ctx.qualname(node.func) in _CSRF_EXEMPT and len(node.args) == 1:
            view = node.args[0].value
            bound = ctx.index.functions.get(view.value) if isinstance(view, cst.Name) else None
            if bound is not None and self._django_safe(bound):
                return
            self.report(node, f"{markup.code(ctx.code(node))} turns off CSRF protection for this view; remove the wrapper",
                        fix=ctx.replace(node, view, "remove csrf_exempt"),
                        confidence=Confidence.HIGH if bound is not None else Confidence.MEDIUM)
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value == "exempt" \
                and self._is_csrf_protect(node.func.value) and len(node.args) == 1:
            self._report_statement(node, f"{markup.code(ctx.code(node))} turns off Flask-WTF CSRF protection for "
                                   f"{markup.code(ctx.code(node.args[0].value))}; remove it")
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value == "remove" \
                and ctx.string(ctx.argument(node, "x", 0)) == _CSRF_MIDDLEWARE:
            self.report(node, "`CsrfViewMiddleware` is removed from `MIDDLEWARE`: no view checks CSRF tokens")

    def _report_statement(self, node: cst.Call, message: str) -> None:
        statement = self.ctx.enclosing(cst.SimpleStatementLine)
        fix = None
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 \
                and isinstance(statement.body[0], cst.Expr) and statement.body[0].value is node:
            pos = self.ctx.position(statement)
            fix = self.ctx.replace_lines(pos.start.line, pos.end.line, "", "remove the CSRF exemption")
        self.report(node, message, fix=fix)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if "csrf" in node.value.lower() and "middleware" in node.value.lower():
            parent = self.ctx.stack[-2] if len(self.ctx.stack) > 1 else None
            if not (isinstance(parent, cst.Arg) and isinstance(self.ctx.stack[-3], cst.Call)
                    and isinstance(self.ctx.stack[-3].func, cst.Attribute)
                    and self.ctx.stack[-3].func.attr.value == "remove"):
                self._mentions_csrf_middleware = True

    def visit_Assign(self, node: cst.Assign) -> None:
        super().visit_Assign(node)
        if self.ctx.enclosing(cst.FunctionDef, cst.ClassDef) is not None:
            return
        for target in node.targets:
            if isinstance(target.target, cst.Name) and target.target.value in ("MIDDLEWARE", "MIDDLEWARE_CLASSES"):
                self._middleware.append(node)

    # --- enforce_csrf -------------------------------------------------------------------
    def _check_enforce_csrf(self, node: cst.FunctionDef) -> None:
        cls = self.ctx.enclosing(cst.ClassDef)
        if not isinstance(cls, cst.ClassDef):
            return
        if not any(self.ctx.qualname(b.value) in _SESSION_AUTHENTICATION for b in cls.bases):
            return
        if any(isinstance(n, (cst.Raise, cst.Call)) for n in self.ctx.descendants(node.body)):
            return
        self.report(node, f"{markup.code(f'{cls.name.value}.enforce_csrf')} does nothing, so session-authenticated API requests "
                    "skip Django REST framework's CSRF check; delete the override")

    # --- results ----------------------------------------------------------------------
    def finish(self) -> None:
        for setting in self.settings:
            if setting.dev or self.ctx.literal(setting.value) is not False or self.overridden(setting):
                continue
            confidence = Confidence.MEDIUM if setting.key == "WTF_CSRF_CHECK_DEFAULT" else None
            meaning = ("no view checks CSRF tokens unless it calls `csrf.protect()`"
                       if setting.key == "WTF_CSRF_CHECK_DEFAULT" else "Flask-WTF forms accept posts without a CSRF token")
            self.report(setting.value, f"{markup.code(f'{setting.key} = False')}: {meaning}; set it to True outside tests",
                        fix=self.ctx.replace(setting.value, "True", f"{setting.key} = True"), confidence=confidence)
        if not (self._dev_file or self._mentions_csrf_middleware):
            for assign in self._middleware:
                self._check_middleware(assign)

    def _check_middleware(self, assign: cst.Assign) -> None:
        ctx = self.ctx
        value = assign.value
        items = ctx.literal(value)
        if not isinstance(value, (cst.List, cst.Tuple)) or not isinstance(items, (list, tuple)):
            return
        if _SESSION_MIDDLEWARE not in items or len(ctx.index.bindings.get((id(ctx.module), "MIDDLEWARE"), [])) > 1:
            return
        after = "django.middleware.common.CommonMiddleware"
        index = items.index(after) if after in items else items.index(_SESSION_MIDDLEWARE)
        fix = ctx.replace(value, _insert_element(value, index, _CSRF_MIDDLEWARE), "add CsrfViewMiddleware")
        self.report(value, "`MIDDLEWARE` has `SessionMiddleware` but no `CsrfViewMiddleware`: no view checks "
                    "CSRF tokens; add it after `CommonMiddleware`", fix=fix)


def _insert_element(value: cst.List | cst.Tuple, index: int, text: str) -> cst.List | cst.Tuple:
    """``value`` with the string ``text`` inserted after element ``index``, in the list's layout.

    A comment after the neighbour rides on its comma: the new element goes after it, not copying it.
    """
    elements = list(value.elements)
    neighbour = elements[index]
    quote = "'" if isinstance(neighbour.value, cst.SimpleString) and neighbour.value.value.startswith("'") else '"'
    separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    for element in elements:
        comma = element.comma
        if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
            separator = comma.with_changes(whitespace_after=comma.whitespace_after.with_changes(
                first_line=cst.TrailingWhitespace(), empty_lines=[]))
            break
    new = cst.Element(value=cst.SimpleString(f"{quote}{text}{quote}"), comma=separator)
    if index == len(elements) - 1:
        new = new.with_changes(comma=neighbour.comma)
        elements[index] = neighbour.with_changes(comma=separator)
    elements.insert(index + 1, new)
    return value.with_changes(elements=elements)


__all__ = ["CsrfDisabled"]
