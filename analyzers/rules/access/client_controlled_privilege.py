"""AR109 client-controlled-privilege: a privilege or an identity decided by a value the client sends
(a cookie, a header, a query or form field) instead of the server-side principal."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from ... import markup
from ...findings import Confidence, Severity
from ...frameworks import (
    Framework,
    HandlerFlow,
    Origin,
    denies_access,
    is_user_model,
    model_expressions,
    refuses,
    route_handlers,
)
from ...rule import Invalid, Rule
from ...walk import walk
from ...words import split_words
from .._common import own_nodes

# Words that make a value a privilege: ``admin``, ``role``, ``is_staff``, ``access_level``.
_PRIVILEGE_WORDS = frozenset({"admin", "administrator", "admins", "isadmin", "role", "roles", "staff", "superuser",
                              "privilege", "privileges", "priv", "privs", "permission", "permissions", "perm",
                              "perms", "rights", "root", "sudo", "moderator", "usertype", "usergroup", "level"})
_PRIVILEGE_PAIRS = frozenset({("user", "type"), ("account", "type"), ("access", "level"), ("user", "group"),
                              ("auth", "level")})
_SHARED_SECRET = frozenset({"token", "key", "secret", "password", "apikey", "signature", "passwd"})
_PRIVILEGED_VALUES = frozenset({"admin", "administrator", "root", "superuser", "staff", "moderator", "sudo"})
# The fields that name a user: a cookie holding one of these *is* the identity, with nothing to forge.
_IDENTITY_FIELDS = frozenset({"id", "pk", "username", "user_name", "email", "name", "login", "user_id", "uid",
                              "userid", "user", "handle", "nickname", "account_id", "_id"})
# Headers and cookies that describe the request (its format, its origin for CSRF defence), never a privilege.
_REQUEST_SHAPE = re.compile(r"(?i)content.?type|accept|requested.?with|origin|referr?er|sec.?fetch|csrf|xsrf|"
                            r"user.?agent|upgrade|connection|encoding|language|cache|if.?none|event|signature|"
                            r"forwarded.?proto")
# Exceptions and answers that mean "you may not": ``SecurityError``, ``AccessDenied``, ``Forbidden``.
_DENIAL_NAME = re.compile(r"Forbidden|Denied|Unauthori[sz]ed|SecurityError|NotAllowed")
# Decoders that turn a cookie back into what was put in it, with no signature checked.
_DECODERS = frozenset({"base64.b64decode", "base64.urlsafe_b64decode", "base64.standard_b64decode", "base64.b32decode",
                       "json.loads", "pickle.loads", "binascii.a2b_base64", "codecs.decode"})
_REQUEST_TEXT = re.compile(r"cookies|COOKIES|headers|META|Cookie\(|Header\(|args|query_params|GET\b|POST\b|form")


def _privilege_name(text: str) -> bool:
    words = split_words(text)
    if set(words) & _PRIVILEGE_WORDS:
        return not ({"csrf", "xsrf"} & set(words))
    return any(pair in _PRIVILEGE_PAIRS for pair in zip(words, words[1:], strict=False))


def _answers_in_branch(node: cst.If) -> bool:
    """The test chooses between two answers: the branch returns, and there is an ``else``."""
    return node.orelse is not None and any(isinstance(n, cst.Return) for n in walk(node.body))


def _channel(origin: Origin) -> str | None:
    """Which part of the request a value came from, for the message and the confidence."""
    text = f"{origin.kind} {origin.text}"
    if "cookie" in text.lower():
        return "cookie"
    if "header" in text.lower() or "META" in text:
        return "header"
    if origin.kind in ("", "query parameter", "form field", "form data", "request body"):
        return "request"
    return None


class ClientControlledPrivilege(Rule):
    """What it does: flags privilege decided by a value the client sends, such as
    ``if request.cookies.get("admin") == "1"`` or ``if request.headers["X-Role"] == "admin"`` guarding an
    admin page, a gate that lets in whoever sends a cookie or header equal to a constant
    (``if request.cookies.get("env") == "console:on"``, refused with 403 otherwise), and a home-made
    session cookie that carries the user's name or id in the clear (``username = request.cookies["user"]``,
    or a base64 ``name|expiry`` string) and is read back as the signed-in user, from the database or
    from an in-memory store.

    Why is this bad: cookies, headers and parameters are whatever the client says they are. Anyone can
    send ``admin=1`` or ``X-Role: admin``, or put another user's name in the cookie, and be that user
    or an administrator. Base64 is an encoding, not a signature.

    Example:
        @app.route("/admin")
        def admin():
            if request.cookies.get("role") != "admin":
                abort(403)
            return render_template("admin.html")

    Use instead:
        @app.route("/admin")
        @login_required
        def admin():
            if not current_user.is_admin:  # the role stored on the server for the signed-in user
                abort(403)
            return render_template("admin.html")
    """

    id = "AR109"
    name = "client-controlled-privilege"
    title = "Privilege or identity taken from a value the client controls"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 639
    in_tests = False
    prefilter = re.compile(r"cookies|COOKIES|headers|META|Cookie\(|Header\(|set_cookie")

    VALID = [
        # A cookie that picks the page's look, in two answers: no privilege.
        "from django.shortcuts import render\n"
        "def home(request):\n    if request.COOKIES.get('theme') == 'dark':\n"
        "        return render(request, 'home_dark.html')\n    else:\n        return render(request, 'home.html')\n",
        # The role comes from the signed-in user.
        "from flask import Flask, abort, request\nfrom flask_login import current_user\napp = Flask(__name__)\n"
        "@app.get('/admin')\ndef admin():\n    if not current_user.is_admin:\n        abort(403)\n    return 'ok'\n",
        # A header that only proves the request came from script on the page (a CSRF defence), and a cookie
        # whose absence is a bad request, not a denial.
        "from flask import Flask, abort, request\napp = Flask(__name__)\n"
        "@app.post('/poll')\ndef poll():\n    if request.headers.get('X-Requested-With') != 'XMLHttpRequest':\n"
        "        abort(403)\n    if request.cookies.get('consent') != 'yes':\n        abort(400)\n    return 'ok'\n",
        # A header that selects a format, not a privilege.
        "from flask import Flask, request, jsonify\napp = Flask(__name__)\n"
        "@app.get('/items')\ndef items():\n    if request.headers.get('X-Requested-With') == 'XMLHttpRequest':\n"
        "        return jsonify([])\n    return 'page'\n",
        # A filter an administrator picks: nothing is refused on it.
        "from flask import Flask, request\napp = Flask(__name__)\n"
        "@app.get('/users')\ndef users():\n    role = request.args.get('role')\n    q = User.query\n"
        "    if role == 'admin':\n        q = q.filter_by(is_admin=True)\n    return render(q.all())\n",
        # A server-side session looked up by the random id in the cookie.
        "from flask import Flask, request\napp = Flask(__name__)\n"
        "@app.get('/me')\ndef me():\n    sid = request.cookies.get('session_id')\n"
        "    session = Session.query.filter_by(token=sid).first_or_404()\n    return session.user.name\n",
        # A signed cookie: Django checks the signature.
        "from django.http import HttpResponse\n"
        "def me(request):\n    name = request.get_signed_cookie('user', salt='login')\n"
        "    user = User.objects.get(username=name)\n    return HttpResponse(user.email)\n",
        # The value is signed (itsdangerous) or encrypted (Fernet) before it goes out.
        "import base64, json\nfrom itsdangerous import URLSafeSerializer\nsigner = URLSafeSerializer(KEY)\n"
        "def create(response, user):\n    response.set_cookie('remember', signer.dumps({'user_id': user.id}))\n",
        "from cryptography.fernet import Fernet\n"
        "def create(response, fernet, username):\n"
        "    response.set_cookie('s', fernet.encrypt(json.dumps({'username': username}).encode()))\n",
        # The principal decides; the header only narrows what an administrator sees.
        "from flask import Flask, abort, request\nfrom flask_login import current_user\napp = Flask(__name__)\n"
        "@app.get('/admin/view')\ndef view():\n"
        "    if not (current_user.is_admin and request.headers.get('X-Admin-View') == '1'):\n"
        "        abort(403)\n    return 'ok'\n",
    ]
    INVALID = [
        # Nothing is refused, but the privileged page goes to whoever sends the cookie or the header.
        Invalid(
            "from django.shortcuts import render\n"
            "def secret(request):\n    if request.COOKIES.get('admin') == '1':\n"
            "        return render(request, 'secret.html', {'flag': FLAG})\n"
            "    else:\n        return render(request, 'page.html')\n",
            confidence=Confidence.MEDIUM,
        ),
        Invalid(
            "from django.shortcuts import render\n"
            "def lab(request):\n    if request.META.get('HTTP_USER_AGENT') == 'pygoat_admin':\n"
            "        return render(request, 'lab.html', {'secret': SECRET})\n"
            "    else:\n        return render(request, 'lab.html')\n",
            confidence=Confidence.MEDIUM,
        ),
        Invalid(
            "import base64, json\n"
            "def create(response, username):\n"
            "    session = base64.b64encode(json.dumps({'username': username}).encode())\n"
            "    response.set_cookie('app_session', session)\n    return response\n",
        ),
        Invalid(
            "from flask import Flask, abort, request, render_template\napp = Flask(__name__)\n"
            "@app.route('/admin')\ndef admin():\n    if request.cookies.get('admin') == '1':\n"
            "        return render_template('admin.html')\n    abort(403)\n",
        ),
        Invalid(
            "from flask import Flask, redirect, request\napp = Flask(__name__)\n"
            "@app.route('/panel')\ndef panel():\n    role = request.headers.get('X-Role', 'user')\n"
            "    if role != 'admin':\n        return redirect('/')\n    return 'panel'\n",
        ),
        Invalid(
            "from django.http import HttpResponseForbidden, HttpResponse\n"
            "def staff_report(request):\n    if request.COOKIES.get('is_staff') != 'true':\n"
            "        return HttpResponseForbidden()\n    return HttpResponse('report')\n",
        ),
        Invalid(
            "from flask import Flask, redirect, request, render_template\napp = Flask(__name__)\n"
            "@app.route('/dashboard')\ndef dashboard():\n    username = request.cookies.get('username')\n"
            "    if not username:\n        return redirect('/login')\n"
            "    user = User.query.filter_by(username=username).first()\n"
            "    return render_template('dashboard.html', user=user)\n",
        ),
        Invalid(
            "import base64\nfrom flask import Flask, request, render_template\napp = Flask(__name__)\n"
            "@app.route('/profile')\ndef profile():\n    raw = request.cookies.get('session')\n"
            "    name, expires = base64.b64decode(raw).decode().split('|')\n"
            "    user = User.query.filter_by(username=name).first_or_404()\n"
            "    return render_template('profile.html', user=user)\n",
        ),
        # The user name, base64-encoded with a timestamp, read back and looked up in an in-memory store.
        Invalid(
            "import base64\nfrom flask import Flask, request, redirect\napp = Flask(__name__)\nusers = {}\n"
            "@app.route('/dashboard')\ndef dashboard():\n    raw = request.cookies.get('session', '')\n"
            "    username = base64.b64decode(raw).decode().split(':')[0]\n"
            "    if username in users:\n        return users[username]['email']\n    return redirect('/login')\n",
        ),
        Invalid(
            "from fastapi import APIRouter, Cookie, HTTPException\nrouter = APIRouter()\n"
            "@router.get('/admin/stats')\ndef stats(role: str = Cookie('guest')):\n    if role != 'admin':\n"
            "        raise HTTPException(status_code=403)\n    return {'users': 1}\n",
        ),
    ]

    def visit_Module(self, node: cst.Module) -> None:
        for function, flow in self._flows():
            reported = self._privilege_decisions(function, flow)
            if not reported:
                self._identity_from_cookie(function, flow)

    def visit_Call(self, node: cst.Call) -> None:
        """The issuing side: ``set_cookie("session", base64.b64encode(json.dumps({"username": name})))``."""
        if not isinstance(node.func, cst.Attribute) or node.func.attr.value != "set_cookie":
            return
        value = self.ctx.argument(node, "value", 1)
        if value is None:
            return
        encoded = self._encoded_identity(value, 0)
        if encoded is not None:
            self.report(node, f"this cookie carries {markup.code(encoded)} encoded, not signed: the client can decode it, "
                              f"put another user's name (or a role) in it and be them; use the framework's signed "
                              f"session, or sign the value (itsdangerous, `django.core.signing`)")

    def _encoded_identity(self, expr: cst.BaseExpression, depth: int) -> str | None:
        """The identity field a home-made session value encodes (base64 or JSON, no signature), or None."""
        ctx = self.ctx
        if depth > 3:
            return None
        if isinstance(expr, cst.Name):
            bound = ctx.value_of(expr)
            return self._encoded_identity(bound, depth + 1) if bound is not None else None
        calls = [n for n in (expr, *walk(expr)) if isinstance(n, cst.Call)]
        names = {(ctx.qualname(c.func) or "").removesuffix("()") for c in calls}
        if any(n.startswith(("jwt.", "itsdangerous.", "django.core.signing.", "cryptography.", "hmac.")) or
               n.rsplit(".", 1)[-1] in ("encrypt", "sign", "dumps_signed") for n in names):
            return None
        if not any(n in ("base64.b64encode", "base64.urlsafe_b64encode", "base64.standard_b64encode", "json.dumps",
                         "pickle.dumps") for n in names):
            return None
        for node in (expr, *walk(expr)):
            if isinstance(node, cst.FormattedStringExpression):  # f"{username}:{expires}" or f"{user.id}|..."
                part = node.expression
                if isinstance(part, cst.Name) and part.value.lower() in _IDENTITY_FIELDS - {"name", "id", "pk", "_id"} \
                        or isinstance(part, cst.Attribute) and part.attr.value.lower() in _IDENTITY_FIELDS - {"name"}:
                    return ctx.code(part)
            if isinstance(node, cst.DictElement):
                key = ctx.literal(node.key)
                if isinstance(key, str) and (key.lower() in _IDENTITY_FIELDS - {"id", "pk", "name", "_id"}
                                             or _privilege_name(key)):
                    return key
            if isinstance(node, cst.Name) and node is not expr and depth < 3:
                bound = ctx.value_of(node)
                inner = self._encoded_identity(bound, depth + 1) if bound is not None else None
                if inner is not None:
                    return inner
        return None

    # --- which functions ---------------------------------------------------------------
    def _flows(self) -> Iterator[tuple[cst.FunctionDef, HandlerFlow]]:
        """Route handlers, and the module's other functions that read the request (a guard decorator's inner
        function, a ``current_user()`` helper) where the request is reachable (Flask's global, a ``request``
        parameter)."""
        ctx = self.ctx
        seen: set[int] = set()
        for handler in route_handlers(ctx):
            seen.add(id(handler.function))
            yield handler.function, handler.flow(ctx)
        framework = self._module_framework()
        if framework is None:
            return
        for function in (n for n in walk(ctx.module) if isinstance(n, cst.FunctionDef)):
            if id(function) in seen or not _REQUEST_TEXT.search(ctx.code(function.body)):
                continue
            if framework == Framework.DJANGO and not any(p.name.value in ("request", "req")
                                                         for p in function.params.params):
                continue
            seen.add(id(function))
            yield function, HandlerFlow.build(ctx, function, framework)

    def _module_framework(self) -> Framework | None:
        imports = " ".join(self.ctx.index.imports.values())
        if "flask.request" in imports or "quart.request" in imports:
            return Framework.FLASK
        if "django." in imports:
            return Framework.DJANGO
        return None

    # --- privilege decided by the client -------------------------------------------------
    def _privilege_decisions(self, function: cst.FunctionDef, flow: HandlerFlow) -> bool:
        for node in own_nodes(function.body):
            if not isinstance(node, cst.If) or self._mentions_principal(flow, node.test):
                continue
            for comparison in (n for n in (node.test, *walk(node.test)) if isinstance(n, cst.Comparison)):
                found = self._client_privilege(flow, comparison)
                if found is None:
                    continue
                origin, channel = found
                if channel.endswith("?"):
                    channel = channel[:-1]
                    if not self._denies_access(function, node):
                        continue
                    confidence = Confidence.MEDIUM
                elif self._gates(function, node):
                    confidence = Confidence.HIGH if channel in ("cookie", "header") else Confidence.MEDIUM
                elif channel in ("cookie", "header") and _answers_in_branch(node):
                    # ``if COOKIES["admin"] == "1": return render(secret) else: return render(page)``: nothing is
                    # refused, but the privileged answer goes to whoever sends the value
                    confidence = Confidence.MEDIUM
                else:
                    continue
                self.report(
                    comparison,
                    f"access is decided by {origin.markdown()}, a {channel} value the client sets to anything it "
                    f"likes: anyone can send it and pass; decide from the signed-in user's role stored on the server",
                    confidence=confidence,
                )
                return True
        return False

    def _client_privilege(self, flow: HandlerFlow, comparison: cst.Comparison) -> tuple[Origin, str] | None:
        if len(comparison.comparisons) != 1:
            return None
        target = comparison.comparisons[0]
        if not isinstance(target.operator, (cst.Equal, cst.NotEqual, cst.In, cst.NotIn)):
            return None
        for side, other in ((comparison.left, target.comparator), (target.comparator, comparison.left)):
            origin = flow.client_origin(side)
            if origin is None:
                continue
            channel = _channel(origin)
            if channel is None or _SHARED_SECRET & set(split_words(origin.text)):
                continue  # ``X-Admin-Token`` against a key: a shared secret (AR504/AR210), not a claim
            literal = self.ctx.literal(other)
            values = [literal] if isinstance(literal, (str, int, bool)) else \
                [self.ctx.literal(e.value) for e in other.elements] if isinstance(other, (cst.Tuple, cst.List, cst.Set)) \
                else []
            if not values or any(not isinstance(v, (str, int, bool)) for v in values):
                continue  # compared with another variable or an expression: not a fixed privilege value
            named = _privilege_name(origin.text) or (isinstance(side, cst.Name) and _privilege_name(side.value))
            # ``"admin"``, ``"pygoat_admin"``, ``"admin.localhost:8000"``: a value that names a privileged role
            privileged_value = any(isinstance(v, str) and set(split_words(v)) & _PRIVILEGED_VALUES for v in values)
            if named or (privileged_value and channel != "request"):
                return origin, channel
            if channel in ("cookie", "header") and all(isinstance(v, str) and v for v in values) \
                    and not _REQUEST_SHAPE.search(origin.text):
                return origin, f"{channel}?"  # a password-like constant: a privilege only if the gate says so
        return None

    def _denies_access(self, function: cst.FunctionDef, node: cst.If) -> bool:
        """The gate answers "forbidden" (401/403, ``PermissionDenied``, a security error), not "bad request":
        a constant that opens it is a key anyone who reads the code (or guesses) holds."""
        blocks: list[cst.CSTNode] = [node.body, *([node.orelse] if node.orelse is not None else [])]
        following = self._following(function, node)
        if following is not None:
            blocks.append(following)
        for block in blocks:
            for n in walk(block):
                if isinstance(n, cst.Call) and (denies_access(self.ctx, n) or _DENIAL_NAME.search(
                        (self.ctx.qualname(n.func) or self.ctx.code(n.func)).rsplit(".", 1)[-1])):
                    return True
        return False

    def _gates(self, function: cst.FunctionDef, node: cst.If) -> bool:
        """The test refuses the caller one way or the other: a denial in the branch, the ``else`` or right after."""
        blocks: list[cst.CSTNode] = [node.body]
        if node.orelse is not None:
            blocks.append(node.orelse)
        following = self._following(function, node)
        if following is not None:
            blocks.append(following)
        return any(refuses(self.ctx, block) for block in blocks)

    def _following(self, function: cst.FunctionDef, node: cst.If) -> cst.CSTNode | None:
        for block in (n for n in (function.body, *walk(function.body)) if isinstance(n, cst.IndentedBlock)):
            statements = list(block.body)
            for index, statement in enumerate(statements):
                if statement is node:
                    return statements[index + 1] if index + 1 < len(statements) else None
        return None

    def _mentions_principal(self, flow: HandlerFlow, test: cst.BaseExpression) -> bool:
        return any(isinstance(n, cst.BaseExpression) and flow.is_current_user(n) for n in (test, *walk(test)))

    # --- identity read from an unsigned cookie ---------------------------------------------
    def _identity_from_cookie(self, function: cst.FunctionDef, flow: HandlerFlow) -> None:
        for load in flow.loads:
            models = model_expressions(load.call)
            if not models or not any(is_user_model(self.ctx, m) for m in models):
                continue
            for key in load.keys:
                if (key.field or "").lower() not in _IDENTITY_FIELDS:
                    continue  # a session or token table looked up by a random id is a bearer credential
                origin = flow.client_origin(key.value)
                if origin is None or _channel(origin) != "cookie" or _privilege_name(origin.text) \
                        or re.search(r"(?i)csrf|token|sid\b|session_?id", origin.text):
                    continue
                self.report(
                    load.call,
                    f"the signed-in user is looked up by {markup.code(key.field)} from {origin.markdown()}, a cookie "
                    f"the client can set to any user's: it is not signed; use the framework's signed session "
                    f"(store the user id in it at login) or a random session token looked up on the server",
                )
                return
        self._identity_in_store(function, flow)

    def _identity_in_store(self, function: cst.FunctionDef, flow: HandlerFlow) -> None:
        """``username = base64.b64decode(request.cookies["session"]).decode().split(":")[0]``: a user name decoded
        from a cookie is a home-made session whatever store it is then looked up in; a plain cookie counts once it
        keys a store of users (``users[username]``, ``if username in users``)."""
        for node in own_nodes(function.body):
            if not isinstance(node, cst.Assign):
                continue
            names = [n for t in node.targets for n in (t.target, *walk(t.target)) if isinstance(n, cst.Name)
                     and n.value.lower() in _IDENTITY_FIELDS - {"name", "id", "pk", "_id"}]
            origin = flow.client_origin(node.value) if names else None
            if origin is None or _channel(origin) != "cookie" or _privilege_name(origin.text) \
                    or re.search(r"(?i)csrf|xsrf", origin.text):
                continue
            calls = {(self.ctx.qualname(c.func) or "") for c in walk(node.value) if isinstance(c, cst.Call)}
            decoded = bool(calls & _DECODERS)  # a random session id is not decoded: this one holds the name
            if not decoded and (re.search(r"(?i)token|sid\b|session_?id", origin.text)
                                or not any(self._keys_a_store(function, n.value) for n in names)):
                continue
            how = "decodes" if decoded else "reads"
            self.report(
                node,
                f"the signed-in user is {markup.code(names[0].value)}, which the handler {how} from {origin.markdown()}: "
                f"the client can put any user's name in that cookie and be them (it is not signed); use the "
                f"framework's signed session (store the user id in it at login) or a random session token looked "
                f"up on the server",
            )
            return

    def _keys_a_store(self, function: cst.FunctionDef, name: str) -> bool:
        """``users[name]`` or ``name in users``, where ``users`` is a mapping of the module (an in-memory user store)."""
        bindings = self.ctx.index.bindings  # module-level names are bound under the module's id
        module = id(self.ctx.module)
        for node in walk(function.body):
            if isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name) \
                    and (module, node.value.value) in bindings and len(node.slice) == 1 \
                    and isinstance(node.slice[0].slice, cst.Index) \
                    and isinstance(node.slice[0].slice.value, cst.Name) and node.slice[0].slice.value.value == name:
                return True
            if isinstance(node, cst.Comparison) and isinstance(node.left, cst.Name) and node.left.value == name \
                    and len(node.comparisons) == 1 and isinstance(node.comparisons[0].operator, cst.In) \
                    and isinstance(node.comparisons[0].comparator, cst.Name) \
                    and (module, node.comparisons[0].comparator.value) in bindings:
                return True
        return False
