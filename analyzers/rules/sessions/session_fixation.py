"""AR306 session-fixation: a login that keeps the session id the visitor arrived with.

Only server-side sessions can be fixed: a session keyed by a random id in a cookie, the data on the server
(Django's default database/cache backends, Flask-Session, aiohttp_session's Redis/Memcached storages,
Pyramid's Redis/Beaker factories, a home-made ``SESSIONS[sid]`` store). Signed-cookie sessions (Flask's
default, Starlette's ``SessionMiddleware``, aiohttp's ``EncryptedCookieStorage``, Django's ``signed_cookies``
engine, Pyramid's ``SignedCookieSessionFactory``) carry the data in the cookie itself: a login writes a new
cookie and leaves the attacker's copy anonymous, so they are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from ... import markup
from ...context import FileContext, FileFact
from ...findings import Confidence, Fix, Severity
from ...frameworks import definition, django_settings, mentions_django
from ...imports import dotted_name
from ...project import Project, ProjectFact
from ...rule import Invalid, Rule
from ...walk import walk
from ...words import split_words
from .._common import handler_flow, own_nodes
from ..access._shared import tail_name
from ..access.missing_rate_limit import collect_evidence

# --- what a session key means ----------------------------------------------------------

# A key that names the signed-in user: ``user_id``, ``uid``, ``username``, ``_auth_user_id``, ``logged_in``.
_IDENTITY_WORDS = frozenset({"user", "uid", "userid", "username", "account", "member", "customer", "login",
                             "logged", "loggedin", "authenticated", "auth", "identity", "principal", "email",
                             "admin", "owner", "person"})
# ...unless it is a step before the login, a preference or a counter: ``pending_2fa_user``, ``last_login``.
_NOT_IDENTITY_WORDS = frozenset({"pending", "partial", "pre", "tmp", "temp", "next", "redirect", "url", "attempt",
                                 "attempts", "failed", "failures", "failure", "count", "counter", "cart", "lang",
                                 "language", "theme", "csrf", "xsrf", "state", "nonce", "otp", "mfa", "2fa", "totp",
                                 "challenge", "remember", "last", "message", "messages", "flash", "error", "errors",
                                 "verifier", "oauth", "captcha", "locale", "timezone", "tz", "agent", "ip",
                                 "preferences", "prefs", "settings"})
# Words of a cookie that carries a session id: ``sid``, ``session_id``, ``sessionid``.
_SESSION_COOKIE_WORDS = frozenset({"sid", "session", "sessionid", "sessid", "sess", "ssid", "sessionkey"})
# Methods that store a value under a key in a store (a dict-like cache, Redis, an ORM row).
_STORE_VERBS = frozenset({"set", "setex", "psetex", "hset", "hmset", "put", "update", "save", "store", "insert",
                          "upsert", "add", "bind", "attach", "set_user", "associate", "update_one", "replace_one",
                          "insert_one", "execute"})
# Project helpers whose name says they give the session a new id.
_ROTATE_WORDS = frozenset({"rotate", "regenerate", "cycle", "renew", "rekey", "refresh"})

_DJANGO_LOGINS = frozenset({"django.contrib.auth.login", "django.contrib.auth.alogin"})
_DJANGO_LOGOUTS = frozenset({"django.contrib.auth.logout", "django.contrib.auth.alogout"})
_REQUEST_NAMES = frozenset({"request", "req", "self.request", "http_request", "self.req"})


def _identity_key(key: str | None) -> bool:
    words = set(split_words(key or ""))
    return bool(words & _IDENTITY_WORDS) and not words & _NOT_IDENTITY_WORDS


def _strip_await(expr: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(expr, cst.Await):
        expr = expr.expression
    return expr



# --- where the project keeps its sessions ---------------------------------------------------

_SIGNALS = {
    "flask-session": re.compile(r"^\s*(?:from\s+flask_session\b|import\s+flask_session\b)", re.MULTILINE),
    "flask-session-config": re.compile(r"\bSESSION_TYPE\b"),
    "flask-interface": re.compile(r"\bsession_interface\s*=(?!=)"),
    "aiohttp-server": re.compile(r"\b(?:RedisStorage|MemcachedStorage|MongoStorage)\b|"
                                 r"\(\s*(?:aiohttp_session\.)?AbstractStorage\s*\)"),
    "aiohttp-cookie": re.compile(r"\b(?:EncryptedCookieStorage|SimpleCookieStorage|NaClCookieStorage)\b"),
    "aiohttp-security-session": re.compile(r"\bSessionIdentityPolicy\b"),
    "django-cookie": re.compile(r"backends\.signed_cookies"),
    "pyramid-server": re.compile(r"pyramid_redis_sessions|pyramid_session_redis|pyramid_beaker|RedisSessionFactory|"
                                 r"BeakerSessionFactoryConfig|session_factory_from_settings"),
    "pyramid-cookie": re.compile(r"SignedCookieSessionFactory|UnencryptedCookieSessionFactoryConfig|"
                                 r"EncryptedCookieSessionFactory|pyramid_nacl_session"),
}


def _signals_in(text: str) -> set[str]:
    return {name for name, pattern in _SIGNALS.items() if pattern.search(text)}


def _folder(path: str) -> str:
    return path.replace("\\", "/").rpartition("/")[0]


def _within(path: str, folder: str) -> bool:
    return not folder or path == folder or path.startswith(folder + "/")


def _app_root(files: frozenset[str], path: str) -> str:
    """The top package holding ``path`` (``app`` for ``app/auth/routes.py``), or its folder outside a package."""
    parts = _folder(path).split("/") if _folder(path) else []
    top = len(parts)
    while top > 0 and "/".join(parts[:top]) + "/__init__.py" in files:
        top -= 1
    return "/".join(parts[: min(top + 1, len(parts))])


@dataclass(frozen=True)
class _ProjectSignals:
    files: frozenset[str]
    found: tuple[tuple[str, frozenset[str]], ...]  # (folder, signals) of the files that carry any


def _project_signals(project: Project) -> _ProjectSignals:
    found: list[tuple[str, frozenset[str]]] = []
    for path in project.files:
        try:
            data = project.read(path)
        except OSError:
            continue
        if b"ession" in data or b"Storage" in data or b"SESSION" in data:
            signals = _signals_in(data.decode("utf-8", "ignore"))
            if signals:
                found.append((_folder(path), frozenset(signals)))
    return _ProjectSignals(frozenset(p.replace("\\", "/") for p in project.files), tuple(found))


def _file_signals(ctx: FileContext) -> frozenset[str]:
    """Where this file's app keeps its sessions: signals in the file, in its package, and in the folders above it
    (a root ``config.py``), not in the other apps of a monorepo. Django's engine is read from the settings."""
    found = _signals_in(ctx.source.text)
    project = ctx.project
    if project is not None:
        shared = _PROJECT_SIGNALS.get(project)
        root = _app_root(shared.files, ctx.path)
        for folder, signals in shared.found:
            if _within(folder, root) or _within(root, folder):
                found |= signals
        found.discard("django-cookie")
        engines = [s.values.get("SESSION_ENGINE") for s in django_settings(ctx)]
        if engines and all(isinstance(e, str) and e.endswith("signed_cookies") for e in engines):
            found.add("django-cookie")
        elif not engines and _SIGNALS["django-cookie"].search(ctx.source.text):
            found.add("django-cookie")
    return frozenset(found)


_PROJECT_SIGNALS: ProjectFact[_ProjectSignals] = ProjectFact("sessions.fixation_signals", _project_signals)
_FILE_SIGNALS: FileFact[frozenset[str]] = FileFact("sessions.fixation_signals", _file_signals)


# --- what the handler does ---------------------------------------------------------------------

@dataclass
class _Write:
    """The statement that stores the signed-in user in a session (or binds it to a session id)."""

    kind: str  # "django", "pyramid", "flask", "aiohttp", "remember", "homemade"
    node: cst.CSTNode  # the Assign or the Call, reported
    index: int  # its place in the function's own nodes
    target: str  # what is written, for the message
    receiver: cst.BaseExpression | None = None  # the session expression (``request.session``, ``session``)
    session_name: str | None = None  # aiohttp: the local bound to ``get_session(request)``
    origin: str | None = None  # homemade: where the session id comes from


@dataclass
class _Binding:
    index: int
    fresh: bool  # new_session() (True) or get_session() (False)
    call: cst.Call


class SessionFixation(Rule):
    """What it does: flags a login that signs the user in on the session the visitor arrived with, where that
    session lives on the server under an id kept in a cookie: a Django view that checks the password and stores
    ``request.session["user_id"]`` without ``django.contrib.auth.login()`` (which rotates the key) or
    ``request.session.cycle_key()``; aiohttp_session's ``get_session(request)`` (or aiohttp-security's
    ``remember()`` with ``SessionIdentityPolicy``) on a Redis or Memcached storage instead of
    ``new_session(request)``; Flask-Session without ``app.session_interface.regenerate(session)``; a Pyramid
    Redis/Beaker session without ``request.session.invalidate()``; and a home-made store that binds the user to
    the session id read from the request cookie (``SESSIONS[request.cookies["sid"]] = user.id``). Clearing the
    session (``session.clear()``, aiohttp's ``invalidate()``) empties it but keeps its id: that is reported at
    medium confidence. Signed-cookie sessions (Flask's default, Starlette's, aiohttp's
    ``EncryptedCookieStorage``, Django's ``signed_cookies`` engine) have no server-side id to fix and are not
    reported.

    Why is this bad: an attacker who can make the victim's browser carry a session id they know (a cookie set
    from a sibling subdomain, a shared computer, an id in a link) waits for the victim to sign in. The id does
    not change at login, so the attacker's copy of the cookie is now a signed-in session as the victim.

    Example:
        def login_view(request):
            user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
            if user is None:
                return render(request, "login.html", status=401)
            request.session["user_id"] = user.pk
            return redirect("/")

    Use instead:
        def login_view(request):
            user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
            if user is None:
                return render(request, "login.html", status=401)
            login(request, user)  # django.contrib.auth.login rotates the session key
            return redirect("/")
    """

    id = "AR306"
    name = "session-fixation"
    title = "Login keeps the pre-login session id"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 384
    in_tests = False
    prefilter = (
        re.compile(r"session|Session|SESSION|cookies|COOKIES|remember"),
        re.compile(r"(?i)passw|authenticat|login|log_in|signin|sign_in|credential|checkpw|verify"),
    )

    VALID = [
        # Django's login() rotates the session key.
        "from django.contrib.auth import authenticate, login\nfrom django.shortcuts import redirect\n"
        "def login_view(request):\n"
        "    user = authenticate(request, username=request.POST['username'], password=request.POST['password'])\n"
        "    if user is not None:\n        login(request, user)\n"
        "        request.session['user_id'] = user.pk\n    return redirect('/')\n",
        # The key is cycled (or the session flushed) before the identity is stored.
        "from django.contrib.auth import authenticate\n"
        "def login_view(request):\n"
        "    user = authenticate(request, username=request.POST['username'], password=request.POST['password'])\n"
        "    if user is not None:\n        request.session.cycle_key()\n"
        "        request.session['user_id'] = user.pk\n",
        "from django.contrib.auth.hashers import check_password\n"
        "def login_view(request):\n    user = Member.objects.get(email=request.POST['email'])\n"
        "    if check_password(request.POST['password'], user.password):\n        request.session.flush()\n"
        "        request.session['member_id'] = user.pk\n",
        # Flask's default session is a signed cookie: no server-side id to fix.
        "from flask import Flask, request, session\nfrom werkzeug.security import check_password_hash\n"
        "app = Flask(__name__)\n@app.post('/login')\ndef login():\n"
        "    user = User.query.filter_by(email=request.form['email']).first()\n"
        "    if user and check_password_hash(user.password_hash, request.form['password']):\n"
        "        session['user_id'] = user.id\n    return 'ok'\n",
        # Flask-Session with the id regenerated at login.
        "from flask import Flask, current_app, request, session\nfrom flask_session import Session\n"
        "app = Flask(__name__)\napp.config['SESSION_TYPE'] = 'redis'\nSession(app)\n"
        "@app.post('/login')\ndef login():\n    user = find_user(request.form['email'])\n"
        "    if user and user.check_password(request.form['password']):\n"
        "        current_app.session_interface.regenerate(session)\n        session['user_id'] = user.id\n"
        "    return 'ok'\n",
        # Not a login: a cart and a language stored in the session.
        "from django.shortcuts import redirect\n"
        "def add_to_cart(request):\n    request.session['cart'] = request.session.get('cart', []) + [request.POST['sku']]\n"
        "    request.session['language'] = request.POST.get('lang', 'en')\n    return redirect('/cart')\n",
        # A home-made store that mints a fresh id at login.
        "import secrets\nfrom flask import Flask, make_response, request\napp = Flask(__name__)\nSESSIONS = {}\n"
        "@app.post('/login')\ndef login():\n    user = find_user(request.form['email'])\n"
        "    if user is None or not user.check_password(request.form['password']):\n        return 'no', 401\n"
        "    SESSIONS.pop(request.cookies.get('sid'), None)\n    sid = secrets.token_urlsafe(32)\n"
        "    SESSIONS[sid] = user.id\n    response = make_response('ok')\n"
        "    response.set_cookie('sid', sid, httponly=True, secure=True, samesite='Lax')\n    return response\n",
        # Sign-up that logs the new user in with login().
        "from django.contrib.auth import login\nfrom django.contrib.auth.forms import UserCreationForm\n"
        "def signup(request):\n    form = UserCreationForm(request.POST)\n    if form.is_valid():\n"
        "        user = form.save()\n        login(request, user)\n        request.session['user_id'] = user.pk\n",
        # aiohttp_session: a new session at login.
        "import bcrypt\nfrom aiohttp import web\nfrom aiohttp_session import new_session\n"
        "from aiohttp_session.redis_storage import RedisStorage\n"
        "async def login(request: web.Request) -> web.Response:\n    form = await request.post()\n"
        "    user = await find_user(form['email'])\n"
        "    if user is None or not bcrypt.checkpw(form['password'].encode(), user.password_hash):\n"
        "        raise web.HTTPUnauthorized()\n    session = await new_session(request)\n"
        "    session['user_id'] = user.id\n    raise web.HTTPFound('/')\n",
        # aiohttp_session on an encrypted cookie: no server-side id.
        "import bcrypt\nfrom aiohttp import web\nfrom aiohttp_session import get_session, setup\n"
        "from aiohttp_session.cookie_storage import EncryptedCookieStorage\n"
        "async def login(request: web.Request) -> web.Response:\n    form = await request.post()\n"
        "    user = await find_user(form['email'])\n"
        "    if user is None or not bcrypt.checkpw(form['password'].encode(), user.password_hash):\n"
        "        raise web.HTTPUnauthorized()\n    session = await get_session(request)\n"
        "    session['user_id'] = user.id\n    raise web.HTTPFound('/')\n",
        # Pyramid: the session invalidated (a new one) before the identity is stored.
        "from pyramid.view import view_config\nfrom pyramid_redis_sessions import session_factory_from_settings\n"
        "@view_config(route_name='login', request_method='POST')\ndef login(request):\n"
        "    user = find_user(request.POST['login'])\n"
        "    if user and user.check_password(request.POST['password']):\n        request.session.invalidate()\n"
        "        request.session['user_id'] = user.id\n    return {}\n",
        # Starlette's SessionMiddleware is a signed cookie.
        "from starlette.responses import RedirectResponse\n"
        "async def login(request):\n    form = await request.form()\n    user = await find_user(form['email'])\n"
        "    if user and verify_password(form['password'], user.password_hash):\n"
        "        request.session['user_id'] = str(user.id)\n    return RedirectResponse('/', 303)\n",
    ]
    INVALID = [
        Invalid(
            "from django.contrib.auth import authenticate\nfrom django.shortcuts import redirect, render\n"
            "def login_view(request):\n"
            "    user = authenticate(request, username=request.POST['username'], password=request.POST['password'])\n"
            "    if user is None:\n        return render(request, 'login.html', status=401)\n"
            "    request.session['user_id'] = user.pk\n    return redirect('/')\n",
            fixed="from django.contrib.auth import authenticate\nfrom django.shortcuts import redirect, render\n"
            "def login_view(request):\n"
            "    user = authenticate(request, username=request.POST['username'], password=request.POST['password'])\n"
            "    if user is None:\n        return render(request, 'login.html', status=401)\n"
            "    request.session.cycle_key()\n"
            "    request.session['user_id'] = user.pk\n    return redirect('/')\n",
            confidence=Confidence.HIGH,
        ),
        # clear() empties the session but keeps its key.
        Invalid(
            "from django.contrib.auth.hashers import check_password\n"
            "def login_view(request):\n    member = Member.objects.filter(email=request.POST['email']).first()\n"
            "    if member and check_password(request.POST['password'], member.password):\n"
            "        request.session.clear()\n        request.session['member_id'] = member.pk\n",
            fixed="from django.contrib.auth.hashers import check_password\n"
            "def login_view(request):\n    member = Member.objects.filter(email=request.POST['email']).first()\n"
            "    if member and check_password(request.POST['password'], member.password):\n"
            "        request.session.clear()\n        request.session.cycle_key()\n"
            "        request.session['member_id'] = member.pk\n",
            confidence=Confidence.MEDIUM,
        ),
        # aiohttp_session on Redis: get_session() keeps the visitor's key; the fix asks for a new session.
        Invalid(
            "import bcrypt\nfrom aiohttp import web\nfrom aiohttp_session import get_session, new_session\n"
            "from aiohttp_session.redis_storage import RedisStorage\n"
            "async def login(request: web.Request) -> web.Response:\n    form = await request.post()\n"
            "    user = await find_user(form['email'])\n"
            "    if user is None or not bcrypt.checkpw(form['password'].encode(), user.password_hash):\n"
            "        raise web.HTTPUnauthorized()\n    session = await get_session(request)\n"
            "    session['user_id'] = user.id\n    raise web.HTTPFound('/')\n",
            fixed="import bcrypt\nfrom aiohttp import web\nfrom aiohttp_session import get_session, new_session\n"
            "from aiohttp_session.redis_storage import RedisStorage\n"
            "async def login(request: web.Request) -> web.Response:\n    form = await request.post()\n"
            "    user = await find_user(form['email'])\n"
            "    if user is None or not bcrypt.checkpw(form['password'].encode(), user.password_hash):\n"
            "        raise web.HTTPUnauthorized()\n    session = await new_session(request)\n"
            "    session['user_id'] = user.id\n    raise web.HTTPFound('/')\n",
            confidence=Confidence.HIGH,
        ),
        # aiohttp_session, storage not visible: medium.
        Invalid(
            "from aiohttp import web\nimport aiohttp_session\n"
            "async def login(request):\n    form = await request.post()\n"
            "    if not await check_credentials(form['login'], form['password']):\n"
            "        raise web.HTTPUnauthorized()\n    session = await aiohttp_session.get_session(request)\n"
            "    session['username'] = form['login']\n    return web.Response(text='ok')\n",
            fixed="from aiohttp import web\nimport aiohttp_session\n"
            "async def login(request):\n    form = await request.post()\n"
            "    if not await check_credentials(form['login'], form['password']):\n"
            "        raise web.HTTPUnauthorized()\n    session = await aiohttp_session.new_session(request)\n"
            "    session['username'] = form['login']\n    return web.Response(text='ok')\n",
            confidence=Confidence.MEDIUM,
        ),
        # aiohttp-security's remember() with SessionIdentityPolicy on Redis.
        Invalid(
            "from aiohttp import web\nfrom aiohttp_security import SessionIdentityPolicy, remember\n"
            "from aiohttp_session.redis_storage import RedisStorage\n"
            "async def login(request):\n    form = await request.post()\n"
            "    if not await check_credentials(request.app['db'], form['login'], form['password']):\n"
            "        raise web.HTTPUnauthorized()\n    response = web.HTTPFound('/')\n"
            "    await remember(request, response, form['login'])\n    raise response\n",
            confidence=Confidence.HIGH,
        ),
        # Flask-Session keeps the id across the login.
        Invalid(
            "from flask import Flask, request, session\nfrom flask_session import Session\n"
            "app = Flask(__name__)\napp.config['SESSION_TYPE'] = 'redis'\nSession(app)\n"
            "@app.post('/login')\ndef login():\n    user = find_user(request.form['email'])\n"
            "    if user is None or not user.check_password(request.form['password']):\n        return 'no', 401\n"
            "    session['user_id'] = user.id\n    return 'ok'\n",
            confidence=Confidence.HIGH,
        ),
        # A home-made store binds the user to the id the client sent.
        Invalid(
            "from flask import Flask, request\napp = Flask(__name__)\nSESSIONS = {}\n"
            "@app.post('/login')\ndef login():\n    sid = request.cookies.get('sid')\n"
            "    user = find_user(request.form['email'])\n"
            "    if user is None or not user.check_password(request.form['password']):\n        return 'no', 401\n"
            "    SESSIONS[sid] = user.id\n    return 'ok'\n",
            confidence=Confidence.HIGH,
        ),
        # Pyramid on Redis sessions.
        Invalid(
            "from pyramid.view import view_config\nfrom pyramid_redis_sessions import session_factory_from_settings\n"
            "@view_config(route_name='login', request_method='POST')\ndef login(request):\n"
            "    user = find_user(request.POST['login'])\n"
            "    if user and user.check_password(request.POST['password']):\n"
            "        request.session['user_id'] = user.id\n    return {}\n",
            confidence=Confidence.HIGH,
        ),
    ]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        nodes = list(own_nodes(node))
        bindings = self._aiohttp_bindings(nodes)
        writes = self._writes(node, nodes, bindings)
        if not writes:
            return
        evidence = collect_evidence(self.ctx, node, None)
        order = {id(n): i for i, n in enumerate(nodes)}
        if evidence.password is not None and id(evidence.password) in order:
            checked_at = order[id(evidence.password)]
        elif evidence.login_form is not None:
            checked_at = -1
        else:
            return  # not a login: a cart, a language, a flash message
        for write in writes:
            if write.index > checked_at and self._judge(node, nodes, bindings, write):
                return  # one finding per login

    # --- the identity writes ------------------------------------------------------------------
    def _aiohttp_bindings(self, nodes: list[cst.CSTNode]) -> dict[str, list[_Binding]]:
        """Locals bound to ``await get_session(request)`` / ``await new_session(request)``."""
        found: dict[str, list[_Binding]] = {}
        for index, node in enumerate(nodes):
            if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
                value = _strip_await(node.value)
                kind = self._aiohttp_session_call(value)
                if kind is not None and isinstance(value, cst.Call):
                    found.setdefault(node.targets[0].target.value, []).append(_Binding(index, kind, value))
        return found

    def _aiohttp_session_call(self, expr: cst.BaseExpression) -> bool | None:
        """True for ``new_session(request)``, False for ``get_session(request)`` (aiohttp_session), else None."""
        if not isinstance(expr, cst.Call):
            return None
        qual = self.ctx.qualname(expr.func) or ""
        tail = tail_name(expr.func)
        if tail not in ("get_session", "new_session"):
            return None
        if not (qual.startswith("aiohttp_session.") or self._imports("aiohttp_session")):
            return None
        return tail == "new_session"

    def _imports(self, root: str) -> bool:
        return any(q == root or q.startswith(root + ".") for q in self.ctx.index.imports.values())

    def _request_session_kind(self, receiver: cst.BaseExpression) -> str | None:
        """``request.session``: Django's or Pyramid's (server-side); Starlette's is a signed cookie."""
        if not (isinstance(receiver, cst.Attribute) and receiver.attr.value == "session"):
            return None
        if (dotted_name(receiver.value) or "") not in _REQUEST_NAMES:
            return None
        if self._imports("pyramid"):
            return "pyramid"
        if self._imports("starlette") or self._imports("fastapi"):
            return None
        return "django" if mentions_django(self.ctx) else None

    def _session_kind(self, receiver: cst.BaseExpression, index: int,
                      bindings: dict[str, list[_Binding]]) -> tuple[str, str | None] | None:
        receiver = _strip_await(receiver)
        kind = self._request_session_kind(receiver)
        if kind is not None:
            return kind, None
        if isinstance(receiver, cst.Name):
            if any(b.index < index for b in bindings.get(receiver.value, ())):
                return "aiohttp", receiver.value
            if self.ctx.qualname(receiver) in ("flask.session", "flask.globals.session", "quart.session"):
                return "flask", None
        if isinstance(receiver, cst.Call) and self._aiohttp_session_call(receiver) is False:
            return "aiohttp", None
        return None

    def _writes(self, function: cst.FunctionDef, nodes: list[cst.CSTNode],
                bindings: dict[str, list[_Binding]]) -> list[_Write]:
        found: list[_Write] = []
        cookies = False
        for index, node in enumerate(nodes):
            if isinstance(node, cst.Attribute) and node.attr.value in ("cookies", "COOKIES"):
                cookies = True
            if isinstance(node, cst.Assign):
                for target in node.targets:
                    if isinstance(target.target, cst.Subscript):
                        write = self._subscript_write(node, target.target, index, bindings)
                        if write is not None:
                            found.append(write)
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
                    and node.func.attr.value == "update":
                kind = self._session_kind(node.func.value, index, bindings)
                key = self._identity_in_update(node) if kind is not None else None
                if kind is not None and key is not None:
                    found.append(_Write(kind[0], node, index, f"{self.ctx.code(node.func.value)}[{key!r}]",
                                        node.func.value, kind[1]))
            if isinstance(node, cst.Call) and self._remembers(node):
                found.append(_Write("remember", node, index, "remember()"))
        if cookies or any(p.default is not None and "Cookie" in self.ctx.code(p.default)
                          for p in function.params.params):
            found.extend(self._homemade_writes(function, nodes))
            found.sort(key=lambda w: w.index)
        return found

    def _subscript_write(self, assign: cst.Assign, target: cst.Subscript, index: int,
                         bindings: dict[str, list[_Binding]]) -> _Write | None:
        if len(target.slice) != 1 or not isinstance(target.slice[0].slice, cst.Index):
            return None
        key_expr = target.slice[0].slice.value
        key = self.ctx.string(key_expr)
        if key is None and isinstance(key_expr, (cst.Name, cst.Attribute)):
            key = dotted_name(key_expr)
        kind = self._session_kind(target.value, index, bindings)
        if kind is None or not _identity_key(key):
            return None
        return _Write(kind[0], assign, index, self.ctx.code(target), target.value, kind[1])

    def _identity_in_update(self, call: cst.Call) -> str | None:
        """``session.update(user_id=...)`` / ``session.update({"user_id": ...})``: the identity key."""
        for arg in call.args:
            if arg.keyword is not None and _identity_key(arg.keyword.value):
                return arg.keyword.value
            if isinstance(arg.value, cst.Dict):
                for element in arg.value.elements:
                    if isinstance(element, cst.DictElement):
                        key = self.ctx.string(element.key)
                        if _identity_key(key):
                            return key
        return None

    def _remembers(self, call: cst.Call) -> bool:
        """aiohttp-security's ``remember(request, response, identity)``."""
        qual = self.ctx.qualname(call.func) or ""
        return qual in ("aiohttp_security.remember", "aiohttp_security.api.remember")

    # --- home-made stores -------------------------------------------------------------------------
    def _homemade_writes(self, function: cst.FunctionDef, nodes: list[cst.CSTNode]) -> list[_Write]:
        flow = handler_flow(self.ctx, function)[0]

        def session_cookie(expr: cst.BaseExpression) -> str | None:
            origin = flow.client_origin(expr)
            if origin is None:
                return None
            if "cookie" not in f"{origin.kind} {origin.text}".lower():
                return None
            return origin.markdown() if set(split_words(origin.text)) & _SESSION_COOKIE_WORDS else None

        def identity_value(expr: cst.BaseExpression) -> bool:
            return bool(set(split_words(self.ctx.code(expr))) & _IDENTITY_WORDS)

        found: list[_Write] = []
        for index, node in enumerate(nodes):
            if isinstance(node, cst.Assign):
                for target in node.targets:
                    sub = target.target
                    if not isinstance(sub, cst.Subscript) or len(sub.slice) != 1 \
                            or not isinstance(sub.slice[0].slice, cst.Index):
                        continue
                    origin = session_cookie(sub.slice[0].slice.value)
                    if origin is not None and identity_value(node.value):
                        found.append(_Write("homemade", node, index, self.ctx.code(sub), origin=origin))
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
                    and node.func.attr.value in _STORE_VERBS:
                origin = None
                key_arg: cst.Arg | None = None
                for arg in node.args:
                    origin = session_cookie(arg.value)
                    if origin is not None:
                        key_arg = arg
                        break
                if origin is None:  # Session.objects.filter(key=sid).update(user=user)
                    for inner in (node.func.value, *walk(node.func.value)):
                        if isinstance(inner, cst.Call):
                            origin = next((o for o in (session_cookie(a.value) for a in inner.args) if o), None)
                            if origin is not None:
                                break
                if origin is None:
                    continue
                if node.func.attr.value == "execute" and not re.search(
                        r"(?i)(update|insert)\b.*session", self.ctx.code(node.args[0].value) if node.args else ""):
                    continue
                if any(arg is not key_arg and ((arg.keyword is not None and _identity_key(arg.keyword.value))
                                               or identity_value(arg.value)) for arg in node.args):
                    found.append(_Write("homemade", node, index, f"{self.ctx.code(node.func)}(...)", origin=origin))
        return found

    # --- rotation ---------------------------------------------------------------------------------
    def _rotation(self, function: cst.FunctionDef, nodes: list[cst.CSTNode], write: _Write) -> tuple[bool, bool]:
        """(rotated, only cleared): whether the session gets a new id around the write, and, if not, whether it
        is at least emptied before it (``clear()``, aiohttp's ``invalidate()``), which keeps the id."""
        cleared = False
        for index, node in enumerate(nodes):
            if not isinstance(node, cst.Call):
                continue
            before = index < write.index
            effect = self._effect(node, write)
            if effect is None and isinstance(node.func, (cst.Name, cst.Attribute)):
                effect = self._helper_effect(node, function, write)
            if effect == "retain" or (effect == "fresh" and before):
                return True, False
            if effect == "clear" and before:
                cleared = True
        return False, cleared

    def _on_session(self, receiver: cst.BaseExpression, write: _Write) -> bool:
        text = dotted_name(_strip_await(receiver)) or ""
        return text.rsplit(".", 1)[-1] == "session" or (write.session_name is not None and text == write.session_name)

    def _effect(self, call: cst.Call, write: _Write, ctx: FileContext | None = None) -> str | None:
        """"retain" (a new id, data kept: rotates wherever it runs), "fresh" (a new, empty session: must come
        before the write), "clear" (emptied, same id) or None."""
        ctx = ctx or self.ctx
        func = _strip_await(call.func)
        qual = ctx.qualname(func) or ""
        tail = tail_name(func)
        if qual in _DJANGO_LOGINS:
            return "retain"
        if qual in _DJANGO_LOGOUTS or tail == "new_session":
            return "fresh"
        if not isinstance(func, cst.Attribute):
            return None
        receiver = func.value
        if tail in ("cycle_key", "acycle_key") and self._on_session(receiver, write):
            return "retain"
        if tail == "regenerate" and ("session" in (dotted_name(receiver) or "").lower()):
            return "retain"  # Flask-Session: app.session_interface.regenerate(session)
        if tail in ("flush", "aflush") and self._on_session(receiver, write):
            return "fresh"
        if tail == "invalidate" and self._on_session(receiver, write):
            return "fresh" if write.kind == "pyramid" else "clear"
        if tail == "clear" and self._on_session(receiver, write):
            return "clear"
        return None

    def _helper_effect(self, call: cst.Call, function: cst.FunctionDef, write: _Write) -> str | None:
        """A project helper that rotates: by its name (``rotate_session(request)``) or its body, one level down."""
        words = set(split_words(tail_name(call.func)))
        if words & _ROTATE_WORDS and ("session" in words or "sid" in words or "key" in words):
            return "retain"
        found = definition(self.ctx, call.func)
        if found is None and write.kind == "django" and words & {"login", "signin"} and len(call.args) >= 2 \
                and (dotted_name(call.args[0].value) or "") in _REQUEST_NAMES:
            return "retain"  # a library's ``perform_login(request, user)`` (allauth...): ends in auth.login()
        if found is None or found[1] is function:
            return None
        helper_ctx, helper = found
        effects = {self._effect(n, write, helper_ctx) for n in walk(helper) if isinstance(n, cst.Call)}
        for effect in ("retain", "fresh"):
            if effect in effects:
                return effect
        return None

    # --- the verdict ----------------------------------------------------------------------------
    def _judge(self, function: cst.FunctionDef, nodes: list[cst.CSTNode], bindings: dict[str, list[_Binding]],
               write: _Write) -> bool:
        """Report ``write`` if the session it writes keeps its id across the login; True when reported."""
        signals = _FILE_SIGNALS.get(self.ctx)
        label = markup.code(f"{function.name.value}()")
        if write.kind == "homemade":
            self.report(write.node, f"{label} signs the user in by binding them to the session id read from "
                        f"{write.origin}, an id the browser arrived with (or the client made up): whoever planted "
                        f"that cookie is now signed in as this user; mint a new id at login "
                        f"({markup.code('secrets.token_urlsafe(32)')}), store the user under it, set it as the "
                        f"cookie and drop the old one")
            return True
        if write.kind == "aiohttp" and write.session_name is not None:
            latest = [b for b in bindings.get(write.session_name, ()) if b.index < write.index]
            if latest and latest[-1].fresh:
                return False
        rotated, cleared = self._rotation(function, nodes, write)
        if rotated:
            return False
        confidence = self._confidence(write.kind, signals)
        if confidence is None:
            return False
        if cleared:
            confidence = Confidence.MEDIUM if confidence == Confidence.HIGH else Confidence.LOW
        what, remedy = self._wording(write)
        kept = ("it is emptied first but keeps its id, " if cleared else "its id does not change, ")
        how = (f"with {markup.code('remember()')}, which, with {markup.code('SessionIdentityPolicy')}, stores the "
               f"identity in the {what}" if write.kind == "remember" else
               f"by storing {markup.code(write.target)} in the {what}")
        message = (f"{label} signs the user in {how} the visitor "
                   f"arrived with: {kept}so whoever planted that session id (a cookie set from a sibling "
                   f"subdomain, a shared computer, an id in a link) is now signed in as this user; {remedy}")
        self.report(write.node, message, confidence=confidence, fix=self._fix(function, nodes, bindings, write))
        return True

    @staticmethod
    def _confidence(kind: str, signals: frozenset[str]) -> Confidence | None:
        if kind == "django":
            return None if "django-cookie" in signals else Confidence.HIGH
        if kind == "flask":
            if "flask-session" in signals:
                return Confidence.HIGH
            if {"flask-session-config", "flask-interface"} & signals:
                return Confidence.LOW
            return None  # Flask's default session is a signed cookie
        if kind in ("aiohttp", "remember"):
            if kind == "remember" and "aiohttp-security-session" not in signals:
                return None  # CookiesIdentityPolicy / JWTIdentityPolicy: no session involved
            if "aiohttp-server" in signals:
                return Confidence.HIGH
            return None if "aiohttp-cookie" in signals else Confidence.MEDIUM
        if kind == "pyramid":
            if "pyramid-server" in signals:
                return Confidence.HIGH
            return None if "pyramid-cookie" in signals else Confidence.LOW
        return None

    def _wording(self, write: _Write) -> tuple[str, str]:
        """What the session is, and what to call, for the message."""
        receiver = self.ctx.code(write.receiver) if write.receiver is not None else "request.session"
        if write.kind == "django":
            return ("session", f"call {markup.code(receiver + '.cycle_key()')} before storing the identity, or sign "
                               f"in with {markup.code('django.contrib.auth.login()')}, which rotates the key "
                               f"({markup.code('clear()')} keeps it)")
        if write.kind == "flask":
            return ("server-side session (Flask-Session)",
                    f"call {markup.code('app.session_interface.regenerate(session)')} at login (Flask-Session 0.7+; "
                    f"{markup.code('session.clear()')} keeps the id)")
        if write.kind == "pyramid":
            return ("server-side session", f"call {markup.code(receiver + '.invalidate()')} before storing the "
                                           f"identity")
        if write.kind == "remember":
            return ("aiohttp_session session",
                    f"call {markup.code('await new_session(request)')} before {markup.code('remember()')}")
        return ("aiohttp_session session", f"start the login with {markup.code('await new_session(request)')} "
                                           f"instead of {markup.code('get_session(request)')} "
                                           f"({markup.code('invalidate()')} keeps the key)")

    # --- fixes ------------------------------------------------------------------------------------
    def _fix(self, function: cst.FunctionDef, nodes: list[cst.CSTNode], bindings: dict[str, list[_Binding]],
             write: _Write) -> Fix | None:
        if write.kind == "django" and write.receiver is not None:
            return self._insert_cycle_key(function, write)
        if write.kind == "aiohttp" and write.session_name is not None:
            return self._new_session_fix(nodes, bindings, write)
        return None

    def _insert_cycle_key(self, function: cst.FunctionDef, write: _Write) -> Fix | None:
        """``request.session.cycle_key()`` as the statement before the write, at its indentation."""
        statement = _statement_line(function, write.node)
        if statement is None or write.receiver is None:
            return None
        ctx = self.ctx
        start = ctx.position(statement).start.line
        end = ctx.position(statement).end.line
        indent = ctx.indentation(start)
        receiver = ctx.code(write.receiver)
        call = f"await {receiver}.acycle_key()" if function.asynchronous is not None else f"{receiver}.cycle_key()"
        original = "\n".join(ctx.lines[start - 1:end])
        return ctx.replace_lines(start, end, f"{indent}{call}\n{original}", "rotate the session key at login")

    def _new_session_fix(self, nodes: list[cst.CSTNode], bindings: dict[str, list[_Binding]],
                         write: _Write) -> Fix | None:
        """``get_session(request)`` -> ``new_session(request)`` when the session is only written in the handler."""
        assert write.session_name is not None
        chosen = [b for b in bindings.get(write.session_name, ()) if b.index < write.index]
        if len(bindings.get(write.session_name, ())) != 1 or not chosen:
            return None
        binding = chosen[-1]
        written = set()
        for node in nodes:
            if isinstance(node, cst.Assign):
                for target in node.targets:
                    if isinstance(target.target, cst.Subscript) and isinstance(target.target.value, cst.Name):
                        written.add(id(target.target.value))
            if isinstance(node, cst.AssignTarget) and isinstance(node.target, cst.Name):
                written.add(id(node.target))
        uses = [n for n in nodes if isinstance(n, cst.Name) and n.value == write.session_name]
        if any(id(n) not in written for n in uses):
            return None  # the handler reads the session (a next URL, a cart): a new session would lose it
        func = binding.call.func
        if isinstance(func, cst.Attribute):
            new_func: cst.BaseExpression = func.with_changes(attr=cst.Name("new_session"))
        else:
            local = next((name for name, qual in self.ctx.index.imports.items()
                          if qual == "aiohttp_session.new_session"), "new_session")
            new_func = cst.Name(local)
        return self.ctx.replace(binding.call, binding.call.with_changes(func=new_func),
                                "start a new session at login")


def _statement_line(function: cst.FunctionDef, small: cst.CSTNode) -> cst.SimpleStatementLine | None:
    """The line statement (in an indented block) whose small statement is ``small``, or None (``if x: a = b``)."""
    for block in walk(function):
        if isinstance(block, cst.IndentedBlock):
            for statement in block.body:
                if isinstance(statement, cst.SimpleStatementLine) and any(
                        s is small or (isinstance(s, cst.Expr) and s.value is small) for s in statement.body):
                    return statement
    return None
