"""AR307 state-change-on-get: a cookie-authenticated GET handler that changes state, out of CSRF protection's reach."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from ... import markup
from ...context import FileContext, FileFact
from ...findings import Confidence, Severity
from ...frameworks import (
    ENDPOINT_HINT,
    PRINCIPAL_QUALS,
    Endpoint,
    Framework,
    HandlerFlow,
    definition,
    django_settings,
    endpoints,
    refuses,
    verifies_a_signature,
)
from ...rule import Invalid, Rule
from ...walk import children, walk
from ...words import split_words
from .._common import target_name
from ..access._shared import checks_a_signed_value

# --- what answers GET ---------------------------------------------------------------------------------------
_METHOD_DECORATORS = frozenset({"require_GET", "require_safe", "require_http_methods"})
# The payload of a form post or an API call: a view that builds its write from it is a POST target.
_PAYLOAD_ATTRS = frozenset({"POST", "FILES", "body", "form", "json", "get_json", "files", "data"})
# Submitting a form: true only for a POST (``validate_on_submit``) or a bound form (``is_valid``).
_SUBMISSION_CALLS = frozenset({"validate_on_submit", "is_submitted", "is_valid"})

# --- what is not a cookie-authenticated action ------------------------------------------------------------------
_LOGOUT = re.compile(r"(?:^|[/_\-.])(?:log_?out|sign_?out|log_?off)(?:$|[/_\-.])", re.IGNORECASE)
_OAUTH = re.compile(r"(?:^|[/_\-.])(?:callback|oauth2?|authorize|authorized|sso|saml|oidc|acs)(?:$|[/_\-.])",
                    re.IGNORECASE)
# A credential in the URL (a signed e-mail link, a reset token, an OAuth code): the request carries its own proof.
_URL_CREDENTIAL_WORDS = frozenset({"token", "signature", "sig", "signed", "hash", "nonce", "otp", "uidb64",
                                   "activation", "confirmation", "magic", "ticket", "code", "verifier"})
_QUERY_CREDENTIAL_WORDS = _URL_CREDENTIAL_WORDS | {"state"}  # OAuth's ``?code=...&state=...``
_TOKEN_ROOTS = ("flask_jwt_extended", "flask_httpauth", "flask_praetorian", "rest_framework_simplejwt",
                "rest_framework_jwt", "knox", "fastapi.security", "oauth2_provider")
# A decorator or guard of token authentication (``@token_required``, ``@jwt_required()``, ``@api_key_auth``).
_TOKEN_GUARD = re.compile(r"jwt|token|api_?key|bearer|basic_?auth|signature|hmac|webhook", re.IGNORECASE)
# A project decorator that reads a credential from the request itself.
_TOKEN_DEFINITION = re.compile(r"authorization|bearer|api_?key|x-api|jwt|token|signature", re.IGNORECASE)
# A body that authenticates the request itself: the ``Authorization`` header, a bearer token, a JWT.
_TOKEN_BODY = re.compile(r"[\"']authorization[\"']|http_authorization|\bbearer\b|get_jwt|jwt\.decode|verify_jwt|"
                         r"x-api-key|http_x_api_key", re.IGNORECASE)
# Other frameworks' handlers are token-authenticated unless they show a session or a cookie: Starlette's
# ``request.session``, FastAPI's ``Cookie()``, aiohttp-session, Bottle's and Tornado's cookies, Pyramid's
# ticket policy, Flask-Login on a Flask extension's resources.
_COOKIE_TEXT = re.compile(r"request\.session\b|request\.cookies|\bCookie\(|get_session\(|check_authorized\(|"
                          r"authorized_userid\b|get_cookie\(|get_secure_cookie|beaker|self\.current_user|"
                          r"@(?:tornado\.web\.)?authenticated\b|flask_login|login_required")
_JWT_DECODE = re.compile(r"^(?:jwt|jose\.jwt|authlib\.jose\.jwt)\.decode$")
_HELPER_CALLS = 25  # calls of a handler whose callee is followed, at most
_SESSION_TEST = re.compile(r"\bsession\b|current_user|g\.user|request\.user|is_authenticated")
_WEB_SESSIONS = frozenset({"flask.session", "flask.globals.session", "quart.session"})

# --- what is a state change ---------------------------------------------------------------------------------------
_QUERY_STEPS = frozenset({"filter", "filter_by", "where", "exclude", "all", "objects", "query", "select_related",
                          "prefetch_related", "order_by", "join", "_default_manager"})
_MONGO_WRITES = {"delete_one": "deletes", "delete_many": "deletes", "find_one_and_delete": "deletes",
                 "update_one": "updates", "update_many": "updates", "find_one_and_update": "updates",
                 "replace_one": "updates", "insert_one": "creates", "insert_many": "creates"}
_MANAGER_CREATES = frozenset({"create", "bulk_create", "update_or_create", "bulk_update"})
# Receivers that are not the database: caches, HTTP clients, web sessions, responses, files.
_NOT_DB = frozenset({"cache", "caches", "redis", "memcache", "memcached", "requests", "httpx", "client", "response",
                     "resp", "request", "headers", "cookies", "os", "shutil", "tmp", "tempfile", "zip", "zipfile",
                     "logger", "logging", "dict", "set", "list", "queue", "celery", "signals", "signal", "messages",
                     "flash", "http", "boto3", "s3"})
_NOT_DB_MODULES = frozenset({"requests", "httpx", "aiohttp", "urllib", "urllib3", "os", "shutil", "redis", "boto3",
                             "pathlib", "tempfile", "flask_caching", "cachetools", "pymemcache"})
_SQL_WRITE = re.compile(r"^\s*(insert|update|delete|replace|merge|drop|alter|truncate)\b", re.IGNORECASE)
_SQL_TABLE = re.compile(r"^\s*(?:insert\s+(?:or\s+\w+\s+)?into|update|delete\s+from|replace\s+into|truncate"
                        r"(?:\s+table)?|drop\s+table|alter\s+table)\s+[`\"\[]?(\w+)", re.IGNORECASE)
_SQL_SET = re.compile(r"\bset\s+(.*?)(?:\bwhere\b|$)", re.IGNORECASE | re.DOTALL)
# Money, permissions and credentials: a call by one of these names is the change itself.
_SENSITIVE_CALLS = re.compile(r"^(?:set_password|set_unusable_password|change_password|change_email|update_email|"
                              r"transfer\w*|withdraw\w*|refund\w*|payout|pay|make_admin|grant\w*|revoke\w*|"
                              r"promote\w*|demote\w*|add_role|remove_role|set_role|add_permission|remove_permission)$")
_SENSITIVE_FIELD = {"set_password": "password", "set_unusable_password": "password", "change_password": "password",
                    "change_email": "email", "update_email": "email"}
# Methods that change the object they are called on (``current_user.follow(user)``), by their first word: a commit
# after one of them writes the change.
_MUTATORS = frozenset({"follow", "unfollow", "add", "remove", "append", "extend", "discard", "clear", "set", "delete",
                       "update", "toggle", "mark", "approve", "reject", "ban", "unban", "block", "unblock", "join",
                       "leave", "like", "unlike", "vote", "upvote", "downvote", "subscribe", "unsubscribe", "enable",
                       "disable", "activate", "deactivate", "archive", "unarchive", "publish", "unpublish", "close",
                       "reopen", "cancel", "accept", "decline", "assign", "unassign", "grant", "revoke", "promote",
                       "demote", "move", "rename", "reset", "pin", "unpin", "star", "unstar", "hide", "unhide",
                       "lock", "unlock", "transfer", "pay", "refund", "withdraw", "deposit", "invite", "kick",
                       "suspend", "restore", "empty", "purge", "bookmark", "favorite", "favourite", "unfavorite",
                       "claim", "release", "submit", "share", "unshare", "make", "change", "confirm",
                       "verify", "regenerate", "rotate", "destroy", "erase", "wipe"})
_COLLECTION_MUTATORS = frozenset({"add", "remove", "append", "extend", "discard", "clear", "update"})
# Bookkeeping: when it was last seen, how often it was viewed, an audit or log row.
_BOOKKEEPING_FIELDS = frozenset({"read", "is_read", "seen", "is_seen", "viewed", "opened", "read_at", "seen_at",
                                 "viewed_at", "opened_at", "accessed_at", "visited_at", "views", "hits", "visits",
                                 "clicks", "impressions", "updated_at", "modified_at", "updated", "modified",
                                 "popularity", "downloads"})
_BOOKKEEPING_WORDS = frozenset({"count", "counter", "views", "hits", "visits", "clicks", "impressions"})
_BOOKKEEPING_MODELS = frozenset({"log", "logs", "audit", "audits", "event", "events", "visit", "visits", "view",
                                 "views", "pageview", "hit", "hits", "history", "activity", "analytics",
                                 "metric", "metrics", "stat", "stats", "tracking", "impression", "impressions",
                                 "click", "clicks", "download", "downloads", "notification", "notifications",
                                 "session", "sessions", "login", "logins", "attempt", "attempts", "cache"})


@dataclass(frozen=True)
class _Write:
    node: cst.CSTNode
    text: str  # "deletes a `Note`", for the message
    clear: bool  # a delete or an update through the ORM (or SQL): high confidence with a login guard
    creates: bool = False  # only adds a row: a helper's lazy ``get_or_create`` is not followed


class StateChangeOnGet(Rule):
    """What it does: flags a GET handler authenticated by the session cookie (``@login_required``,
    ``LoginRequiredMixin``, Flask-Login's ``current_user``, Django's ``request.user``, a user id read from
    ``session``) that changes state: deletes or updates rows through the ORM or SQL, saves a changed model,
    commits a change, moves money or changes a password, an e-mail or a permission. It covers Flask routes that
    answer GET (``@app.get``, ``@app.route`` without ``methods``, ``methods=["GET", ...]``), Django function views
    (``@require_GET``/``@require_safe``, or no method restriction at all) and class views' ``def get``; a helper the
    handler calls (in its module, another module of the project, or its view class: ``return self.post(...)``)
    is followed one call deep, for its deletes and updates. Writes only a POST reaches (under
    ``if request.method == "POST"``, ``form.validate_on_submit()``, ``form.is_valid()``, or after
    ``if request.method == "GET": return ...``) are not GET's, nor those of a view that takes them from a posted
    form or body. Not reported: bookkeeping (last-seen times, view counters, read marks, audit or log rows,
    caches, the session itself, flashed messages); logout on GET (common and of little consequence); links that
    carry their own credential (an e-mail confirmation, password-reset, unsubscribe or magic-link token, an OAuth
    ``code``/``state``); token-authenticated APIs (``Authorization`` header, JWT, API keys, DRF without
    ``SessionAuthentication``; a JWT the handler reads from a cookie is a cookie all the same); and handlers with no authentication at all (AR101's finding). High confidence
    for a delete or an update behind a login guard; medium for a new row, a change made by a model's method
    and then committed, a helper's write, or a view that only reads the session's user.

    Why is this bad: CSRF protection (Django's middleware, Flask-WTF, DRF's ``SessionAuthentication``) checks
    only unsafe methods; GET is assumed to change nothing. A signed-in user's browser sends the session cookie
    with any GET another site triggers, by a link, an ``<img src>`` or a redirect, so that site can make the user
    delete their data, follow an account or change a setting without asking. Browsers, proxies and link
    previewers also fetch GET URLs on their own.

    Example:
        @app.route("/notes/<int:note_id>/delete")
        @login_required
        def delete_note(note_id):
            Note.query.filter_by(id=note_id, owner_id=current_user.id).delete()
            db.session.commit()
            return redirect(url_for("notes"))

    Use instead:
        @app.post("/notes/<int:note_id>/delete")  # a form (or button) that posts, with the CSRF token
        @login_required
        def delete_note(note_id):
            Note.query.filter_by(id=note_id, owner_id=current_user.id).delete()
            db.session.commit()
            return redirect(url_for("notes"))

    No fix is offered: turning the route into a POST breaks every link to it in the templates.
    """

    id = "AR307"
    name = "state-change-on-get"
    title = "State changed by a cookie-authenticated GET request"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    cwe = 352
    in_tests = False
    # Files that declare routes or views (the write may sit in a helper of another module).
    # A file that declares endpoints (whatever the framework) and writes something.
    prefilter = (ENDPOINT_HINT, re.compile(r"delete|save|update|commit|create|execute|remove|insert|add\("))

    VALID = [
        # An e-mail confirmation link: the nonce in the URL, checked by a helper, is the credential.
        "from flask import Blueprint, redirect\nfrom flask_login import login_required\nauth = Blueprint('auth', __name__)\n"
        "@auth.route('/confirm/<data>')\n@login_required\ndef confirm(data):\n"
        "    email = verify_email_confirm_token(data)\n    user = User.query.filter_by(email=email).first_or_404()\n"
        "    user.verified = True\n    db.session.commit()\n    return redirect('/')\n",
        # A POST handler.
        "from flask import Flask, redirect\nfrom flask_login import current_user, login_required\n"
        "app = Flask(__name__)\n"
        "@app.post('/notes/<int:note_id>/delete')\n@login_required\ndef delete_note(note_id):\n"
        "    Note.query.filter_by(id=note_id, owner_id=current_user.id).delete()\n"
        "    db.session.commit()\n    return redirect('/notes')\n",
        # A GET that only reads.
        "from flask import Flask, jsonify\nfrom flask_login import current_user, login_required\n"
        "app = Flask(__name__)\n"
        "@app.get('/notes')\n@login_required\ndef notes():\n"
        "    return jsonify([n.title for n in Note.query.filter_by(owner_id=current_user.id)])\n",
        # Bookkeeping: the time the user was last seen.
        "from flask import Flask, render_template\nfrom flask_login import current_user, login_required\n"
        "from datetime import datetime\napp = Flask(__name__)\n"
        "@app.route('/dashboard')\n@login_required\ndef dashboard():\n"
        "    current_user.last_seen = datetime.utcnow()\n    db.session.commit()\n"
        "    return render_template('dashboard.html')\n",
        # The write happens only on POST.
        "from flask import Flask, redirect, render_template, request\n"
        "from flask_login import current_user, login_required\napp = Flask(__name__)\n"
        "@app.route('/settings', methods=['GET', 'POST'])\n@login_required\ndef settings():\n"
        "    if request.method == 'POST':\n        current_user.theme = request.form['theme']\n"
        "        db.session.commit()\n        return redirect('/settings')\n"
        "    return render_template('settings.html')\n",
        # Logout on GET: common and of little consequence.
        "from django.contrib.auth.decorators import login_required\nfrom django.shortcuts import redirect\n"
        "from django.views.decorators.http import require_GET\n"
        "@login_required\n@require_GET\ndef logout_view(request):\n"
        "    request.user.auth_token.delete()\n    return redirect('/')\n",
        # A confirmation link: the signed token is the credential.
        "from flask import Flask, redirect\nfrom flask_login import current_user, login_required\n"
        "app = Flask(__name__)\n"
        "@app.route('/confirm/<token>')\n@login_required\ndef confirm(token):\n"
        "    if current_user.confirm(token):\n        current_user.confirmed = True\n"
        "        db.session.commit()\n    return redirect('/')\n",
        # A token-authenticated API: no cookie, no CSRF.
        "from flask import Flask, jsonify\nfrom flask_jwt_extended import get_jwt_identity, jwt_required\n"
        "app = Flask(__name__)\n"
        "@app.get('/api/notes/<int:note_id>/archive')\n@jwt_required()\ndef archive(note_id):\n"
        "    Note.query.filter_by(id=note_id, owner_id=get_jwt_identity()).update({'archived': True})\n"
        "    db.session.commit()\n    return jsonify(ok=True)\n",
        # Django: a function view that writes only when the form is posted.
        "from django.contrib.auth.decorators import login_required\nfrom django.shortcuts import redirect, render\n"
        "@login_required\ndef edit_profile(request):\n"
        "    form = ProfileForm(request.POST or None, instance=request.user.profile)\n"
        "    if form.is_valid():\n        form.save()\n        return redirect('profile')\n"
        "    return render(request, 'profile.html', {'form': form})\n",
    ]
    INVALID = [
        Invalid(
            "from flask import Flask, redirect\nfrom flask_login import current_user, login_required\n"
            "app = Flask(__name__)\n"
            "@app.route('/notes/<int:note_id>/delete')\n@login_required\ndef delete_note(note_id):\n"
            "    Note.query.filter_by(id=note_id, owner_id=current_user.id).delete()\n"
            "    db.session.commit()\n    return redirect('/notes')\n",
            confidence=Confidence.HIGH,
        ),
        # An alias, a blueprint, a multi-line decorator.
        Invalid(
            "from flask import Blueprint, redirect\nfrom flask_login import current_user, login_required as lr\n"
            "bp = Blueprint('comments', __name__)\n"
            "@bp.get(\n    '/comments/<int:comment_id>/hide',\n)\n@lr\ndef hide(comment_id):\n"
            "    comment = Comment.query.filter_by(id=comment_id, author_id=current_user.id).first_or_404()\n"
            "    comment.hidden = True\n    db.session.commit()\n    return redirect('/')\n",
            confidence=Confidence.HIGH,
        ),
        # A change made by a model method, then committed: less clear.
        Invalid(
            "from flask import Flask, redirect\nfrom flask_login import current_user, login_required\n"
            "app = Flask(__name__)\n"
            "@app.route('/follow/<username>')\n@login_required\ndef follow(username):\n"
            "    user = User.query.filter_by(username=username).first_or_404()\n"
            "    current_user.follow(user)\n    db.session.commit()\n    return redirect('/')\n",
            confidence=Confidence.MEDIUM,
        ),
        # Django: a function view with no method restriction.
        Invalid(
            "from django.contrib.auth.decorators import login_required\nfrom django.shortcuts import redirect\n"
            "@login_required\ndef delete_note(request, pk):\n"
            "    Note.objects.filter(pk=pk, owner=request.user).delete()\n    return redirect('notes')\n",
            confidence=Confidence.HIGH,
        ),
        # Django: a class view's get.
        Invalid(
            "from django.contrib.auth.mixins import LoginRequiredMixin\nfrom django.shortcuts import redirect\n"
            "from django.views import View\n"
            "class ArchiveView(LoginRequiredMixin, View):\n    def get(self, request, pk):\n"
            "        Note.objects.filter(pk=pk, owner=request.user).update(archived=True)\n"
            "        return redirect('notes')\n",
            confidence=Confidence.HIGH,
        ),
        # The write in a helper of the same module.
        Invalid(
            "from django.contrib.auth.decorators import login_required\nfrom django.shortcuts import redirect\n"
            "from django.views.decorators.http import require_GET\n"
            "def _leave(user, team_id):\n    Membership.objects.filter(user=user, team_id=team_id).delete()\n"
            "@login_required\n@require_GET\ndef leave_team(request, team_id):\n"
            "    _leave(request.user, team_id)\n    return redirect('teams')\n",
            confidence=Confidence.MEDIUM,
        ),
    ]

    def visit_Module(self, node: cst.Module) -> None:
        seen: set[int] = set()
        for endpoint in endpoints(self.ctx):
            function = endpoint.function
            if id(function) in seen:
                continue
            seen.add(id(function))
            self._check(endpoint)

    def _check(self, endpoint: Endpoint) -> None:
        function = endpoint.function
        how = self._answers_get(endpoint)
        if how is None:
            return
        cls = self._view_class(endpoint)
        where = (endpoint.path or "", function.name.value, cls.name.value if cls is not None else "")
        if any(_LOGOUT.search(w) or _OAUTH.search(w) for w in where) or self._url_credential(endpoint):
            return
        if how in ("any", "mixed") and self._reads_payload(function):
            return  # the view builds its write from a posted form: a GET reaches it with nothing to write
        writes = _Writes(self.ctx).find(function, cls)
        if not writes:
            return
        credential = self._credential(endpoint)
        if credential is None:
            return
        write = next((w for w in writes if w.clear), writes[0])
        high = write.clear and credential == "guard" and endpoint.framework != Framework.DRF
        label = f"GET {self._path(endpoint)}"
        anchor = self._anchor(endpoint)
        also = " (it answers any method)" if how == "any" else ""
        self.report(
            anchor,
            f"{markup.code(label)}{also} {write.text} with only the session cookie as credential: a link or an "
            f"image on another site can make a signed-in user do it, and CSRF protection does not check GET; "
            f"make it a POST (a form or button that posts with the CSRF token) and keep GET for reading",
            confidence=Confidence.HIGH if high else Confidence.MEDIUM,
        )

    def _path(self, endpoint: Endpoint) -> str:
        """The route's path with its blueprint's ``url_prefix``, or the view's name when no path is known."""
        route = endpoint.route
        if endpoint.path is None:
            cls = self._view_class(endpoint)
            return f"{cls.name.value}.{endpoint.function.name.value}" if cls is not None else route.name
        bound = self.ctx.index.bindings.get((id(self.ctx.module), route.owner)) if route.owner else None
        if endpoint.framework == Framework.FLASK and bound and len(bound) == 1 and isinstance(bound[0], cst.Call):
            prefix = self.ctx.string(self.ctx.argument(bound[0], "url_prefix"))
            if prefix:
                return f"{prefix.rstrip('/')}{endpoint.path}"
        return endpoint.path

    # --- does it answer GET? ---------------------------------------------------------------------------------
    def _answers_get(self, endpoint: Endpoint) -> str | None:
        """``"get"`` (GET only), ``"mixed"`` (GET and unsafe methods), ``"any"`` (no restriction) or None."""
        methods = {m.upper() for m in endpoint.methods}
        if not methods:
            if endpoint.framework == Framework.FLASK:
                return "get"  # ``add_url_rule`` without ``methods``: Flask's default is GET
            if endpoint.framework == Framework.DJANGO and isinstance(endpoint.route.handler, cst.FunctionDef):
                return "mixed" if self._tests_method(endpoint.function) else "any"
            return None
        if "GET" not in methods:
            return None
        return "get" if methods <= {"GET", "HEAD", "OPTIONS"} else "mixed"

    def _tests_method(self, function: cst.FunctionDef) -> bool:
        return any(isinstance(n, cst.Attribute) and n.attr.value == "method" and _is_request(n.value)
                   for n in walk(function.body))

    def _reads_payload(self, function: cst.FunctionDef) -> bool:
        """Where a GET may run, the body reads a posted form or a request body."""
        return any(isinstance(n, cst.Attribute) and n.attr.value in _PAYLOAD_ATTRS and _is_request(n.value)
                   for n in _Writes(self.ctx).reachable(function))

    # --- links that carry their own credential -----------------------------------------------------------------
    # (``_verifies_a_url_token`` below: ``verify_email_confirm_token(data)`` with ``data`` from the URL)
    def _url_credential(self, endpoint: Endpoint) -> bool:
        """The handler uses a credential from the URL: a token path variable, a ``token``/``code``/``state``
        query parameter, or a signed value it verifies."""
        function = endpoint.function
        params = {p.name.value for p in (*function.params.params, *function.params.kwonly_params)}
        tokens = {p for p in params if set(split_words(p)) & _URL_CREDENTIAL_WORDS}
        read = {n.value for n in walk(function.body) if isinstance(n, cst.Name)}
        if tokens & read or checks_a_signed_value(self.ctx, function):
            return True  # (a signed value checked here or by a helper)
        for node in walk(function.body):
            if isinstance(node, cst.Call) and _verifies_a_url_token(node, params):
                return True
            if isinstance(node, cst.Call) and verifies_a_signature(self.ctx, node):
                return True
            key: cst.BaseExpression | None = None
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get" \
                    and node.args and _is_query(node.func.value):
                key = node.args[0].value
            elif isinstance(node, cst.Subscript) and _is_query(node.value) and len(node.slice) == 1 \
                    and isinstance(node.slice[0].slice, cst.Index):
                key = node.slice[0].slice.value
            text = self.ctx.string(key) if key is not None else None
            if text and set(split_words(text)) & _QUERY_CREDENTIAL_WORDS:
                return True
        return False

    # --- is it authenticated by the session cookie? ---------------------------------------------------------------
    def _credential(self, endpoint: Endpoint) -> str | None:
        """``"guard"`` (a login guard stands before it), ``"principal"`` (it acts as the session's user) or None
        (a token-authenticated API, or no authentication: AR101's business)."""
        ctx = self.ctx
        function = endpoint.function
        decorators = list(function.decorators)
        cls = self._view_class(endpoint)
        if cls is not None:
            decorators += list(cls.decorators)
        for decorator in decorators:
            expr = decorator.decorator
            target = expr.func if isinstance(expr, cst.Call) else expr
            name = ctx.qualname(target) or ""
            if name.startswith(_TOKEN_ROOTS) or _TOKEN_GUARD.search(ctx.code(target)) or self._token_decorator(target):
                return None
        if _TOKEN_BODY.search(ctx.code(function.body)) and self._token_from_cookie(endpoint):
            return "guard"  # a token the browser sends by itself (a JWT kept in a cookie) is a cookie all the same
        if any(_TOKEN_GUARD.search(g.name) for g in endpoint.guards) or _TOKEN_BODY.search(ctx.code(function.body)):
            return None
        if cls is not None and any(_TOKEN_GUARD.search(ctx.code(b.value)) for b in cls.bases):
            return None
        if endpoint.framework == Framework.DRF:
            return "guard" if self._drf_session(endpoint) and endpoint.guards else None
        if endpoint.framework not in (Framework.FLASK, Framework.DJANGO) and not self._shows_cookie(function):
            return None  # FastAPI, Starlette...: tokens unless the handler reads the session or a cookie
        if any(g.kind != "dependency" for g in endpoint.guards) or self._session_check(function):
            return "guard"
        flow = HandlerFlow.build(ctx, function, endpoint.framework)
        return "principal" if flow.principal_expressions() else None

    def _token_from_cookie(self, endpoint: Endpoint) -> bool:
        """``jwt.decode(request.COOKIES["auth"], ...)``: the token that authenticates the request is a cookie."""
        flow = HandlerFlow.build(self.ctx, endpoint.function, endpoint.framework)
        for node in walk(endpoint.function.body):
            if isinstance(node, cst.Call) and node.args and _JWT_DECODE.search(self.ctx.qualname(node.func) or ""):
                origin = flow.client_origin(node.args[0].value)
                if origin is not None and "cookie" in f"{origin.kind} {origin.text}".lower():
                    return True
        return False

    def _token_decorator(self, target: cst.BaseExpression) -> bool:
        """The project's own decorator authenticates a key or a token from a header (``request.headers["X-Api-Key"]``)
        and never looks at the session."""
        found = definition(self.ctx, target)
        if found is None:
            return False
        text = found[0].code(found[1])
        return bool(_TOKEN_DEFINITION.search(text)) and not _SESSION_TEST.search(text)

    def _shows_cookie(self, function: cst.FunctionDef) -> bool:
        if _COOKIE_TEXT.search(self.ctx.code(function)):
            return True
        return any(isinstance(n, cst.Name) and (self.ctx.qualname(n) or "").startswith("flask_login")
                   for n in walk(function))

    def _session_check(self, function: cst.FunctionDef) -> bool:
        """A home-made guard at the top of the body: ``if "username" not in g.session: return redirect(login)``."""
        body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
        return any(isinstance(s, cst.If) and _SESSION_TEST.search(self.ctx.code(s.test)) and refuses(self.ctx, s.body)
                   for s in list(body)[:5])

    def _drf_session(self, endpoint: Endpoint) -> bool:
        """DRF authenticates this view with ``SessionAuthentication`` (set on the view, or in the settings)."""
        classes = getattr(endpoint.route, "authentication", None)
        if classes is not None:
            return any("Session" in c for c in classes)
        for settings in django_settings(self.ctx):
            rest = settings.values.get("REST_FRAMEWORK")
            if isinstance(rest, dict):
                listed = rest.get("DEFAULT_AUTHENTICATION_CLASSES")
                if listed is None:
                    return True  # DRF's default: session and basic
                if isinstance(listed, (list, tuple)):
                    return any("Session" in str(c) for c in listed)
        return False

    @staticmethod
    def _view_class(endpoint: Endpoint) -> cst.ClassDef | None:
        route = endpoint.route
        if route.view_class is not None:
            return route.view_class
        return route.handler if isinstance(route.handler, cst.ClassDef) else None

    # --- where to report -------------------------------------------------------------------------------------
    def _anchor(self, endpoint: Endpoint) -> cst.CSTNode:
        """The route decorator that answers GET, the Django method decorator, else the ``def``'s name."""
        ctx = self.ctx
        for decorator in endpoint.function.decorators:
            expr = decorator.decorator
            if not isinstance(expr, cst.Call) or not isinstance(expr.func, cst.Attribute):
                continue
            method = expr.func.attr.value
            listed = ctx.argument(expr, "methods")
            if method == "get" or (method in ("route", "api_route") and (listed is None or _lists_get(
                    ctx.literal(listed)))):
                return decorator
        for decorator in endpoint.function.decorators:
            expr = decorator.decorator
            target = expr.func if isinstance(expr, cst.Call) else expr
            if (ctx.qualname(target) or "").rsplit(".", 1)[-1] in _METHOD_DECORATORS:
                return decorator
        return endpoint.function.name


class _Writes:
    """What a function's body changes, read in the file that defines it (a helper may live in another module)."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx

    def find(self, function: cst.FunctionDef, cls: cst.ClassDef | None, depth: int = 0) -> list[_Write]:
        nodes = list(self.reachable(function))
        found: list[_Write] = []
        changed = self._changes(nodes)
        commits = False
        for node in nodes:
            if not isinstance(node, cst.Call):
                continue
            write = self._classify(node, changed)
            if write is not None:
                found.append(write)
            elif isinstance(node.func, cst.Attribute) and node.func.attr.value == "commit" \
                    and self._db_receiver(node.func.value):
                commits = True
        if commits and not found:
            found += self._committed(nodes, changed)
        if not found and depth == 0:
            calls = [n for n in nodes if isinstance(n, cst.Call)][:_HELPER_CALLS]
            for node in calls:
                helper = self._helper(node, function, cls)
                if helper is None:
                    continue
                inner = [w for w in _Writes(helper[0]).find(helper[1], cls if helper[0] is self.ctx else None,
                                                            depth + 1) if not w.creates]
                if inner:
                    name = markup.code(f"{self.ctx.code(node.func)}()")
                    found.append(_Write(node, f"{inner[0].text} (in {name})", clear=False))
                    break
        return found

    def _helper(self, call: cst.Call, function: cst.FunctionDef,
                cls: cst.ClassDef | None) -> tuple[FileContext, cst.FunctionDef] | None:
        """A function of the project (this module or another), or a method of the same view class, that ``call``
        runs: not another view, not a decorator."""
        func = call.func
        if cls is not None and isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) \
                and func.value.value == "self":
            for statement in cls.body.body:
                if isinstance(statement, cst.FunctionDef) and statement.name.value == func.attr.value \
                        and statement is not function:
                    return self.ctx, statement
            return None
        if not isinstance(func, (cst.Name, cst.Attribute)):
            return None
        found = definition(self.ctx, func)
        if found is None or found[1] is function or _returns_function(found[1]):
            return None
        hctx, helper = found
        if any(isinstance(d.decorator, cst.Call) for d in helper.decorators) or (
                hctx is self.ctx and any(e.function is helper for e in endpoints(hctx))):
            return None  # another view
        return found

    def reachable(self, function: cst.FunctionDef) -> Iterator[cst.CSTNode]:
        """The nodes of the body a GET request may run: not the bodies of nested functions, not the branches
        a method test or a form submission keeps for POST."""
        gated = self._gated(function)
        stack = list(reversed(children(function.body)))
        while stack:
            current = stack.pop()
            if id(current) in gated:
                continue
            yield current
            if not isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                stack.extend(reversed(children(current)))

    def _gated(self, function: cst.FunctionDef) -> set[int]:
        gated: set[int] = set()
        blocks = [n for n in (function.body, *walk(function.body)) if isinstance(n, cst.IndentedBlock)]
        for block in blocks:
            statements = list(block.body)
            for index, statement in enumerate(statements):
                if not isinstance(statement, cst.If):
                    continue
                truth = self._truth(statement.test)
                if truth is None:
                    continue
                when_true, when_false = truth
                if not when_true:
                    gated.add(id(statement.body))
                if not when_false and statement.orelse is not None:
                    gated.add(id(statement.orelse))
                rest = statements[index + 1 :]
                if (not when_false and _terminates(statement.body)) or (
                        not when_true and isinstance(statement.orelse, cst.Else)
                        and _terminates(statement.orelse.body)):
                    gated.update(id(s) for s in rest)
        return gated

    def _truth(self, test: cst.BaseExpression) -> tuple[bool, bool] | None:
        """(a GET may make ``test`` true, a GET may make it false), or None when ``test`` says nothing of the
        method."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            inner = self._truth(test.expression)
            return (inner[1], inner[0]) if inner is not None else None
        if isinstance(test, cst.BooleanOperation):
            left, right = self._truth(test.left), self._truth(test.right)
            if left is None and right is None:
                return None
            lt, lf = left or (True, True)
            rt, rf = right or (True, True)
            if isinstance(test.operator, cst.And):
                return lt and rt, lf or rf
            return lt or rt, lf and rf
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            target = test.comparisons[0]
            sides = (test.left, target.comparator)
            method = next((s for s in sides if _is_method(s)), None)
            if method is None:
                return None
            other = sides[1] if method is sides[0] else sides[0]
            value = self.ctx.literal(other)
            values = {value} if isinstance(value, str) else set(value) if isinstance(value, (list, tuple, set)) \
                else None
            if values is None or not all(isinstance(v, str) for v in values):
                return None
            has_get = "GET" in {str(v).upper() for v in values}
            if isinstance(target.operator, (cst.Equal, cst.In, cst.Is)):
                return has_get, not has_get
            if isinstance(target.operator, (cst.NotEqual, cst.NotIn, cst.IsNot)):
                return not has_get, has_get
            return None
        if isinstance(test, cst.Call) and isinstance(test.func, cst.Attribute) \
                and test.func.attr.value in _SUBMISSION_CALLS:
            return False, True
        if isinstance(test, cst.Attribute) and test.attr.value in ("POST", "FILES", "form", "files") \
                and _is_request(test.value):
            return False, True
        return None

    # --- what a call writes -------------------------------------------------------------------------------------
    def _classify(self, call: cst.Call, changed: dict[str, list[str]]) -> _Write | None:
        ctx = self.ctx
        func = call.func
        if not isinstance(func, cst.Attribute):
            name = func.value if isinstance(func, cst.Name) else None
            if name and _SENSITIVE_CALLS.match(name):
                return _Write(call, f"calls {markup.code(name + '()')}", clear=False)
            return None
        method = func.attr.value
        receiver = func.value
        if self._not_db(receiver):
            return None
        if method in _MONGO_WRITES:
            collection = _root_name(receiver) or ctx.code(receiver)
            creates = _MONGO_WRITES[method] == "creates"
            if (creates and _bookkeeping_model(collection)) or _session_model(collection):
                return None
            return _Write(call, f"{_MONGO_WRITES[method]} documents of {markup.code(collection)}",
                          clear=not creates, creates=creates)
        if method == "delete":
            if not call.args:
                model = self._model(receiver)
                if model and _session_model(model):
                    return None
                what = _rows(receiver, model) if model else markup.code(ctx.code(receiver))
                return _Write(call, f"deletes {what}", clear=True)
            if self._db_receiver(receiver) and len(call.args) == 1:
                model = self._model(call.args[0].value)
                if model and _session_model(model):
                    return None
                what = _one(model) if model else markup.code(ctx.code(call.args[0].value))
                return _Write(call, f"deletes {what}", clear=True)
            return None
        if method == "update" and _query_chain(receiver):
            model = self._model(receiver)
            fields = [a.keyword.value for a in call.args if a.keyword is not None]
            if call.args and isinstance(call.args[0].value, cst.Dict):
                fields += [k for e in call.args[0].value.elements if isinstance(e, cst.DictElement)
                           and isinstance(k := ctx.literal(e.key), str)]
            if fields and all(_bookkeeping_field(f) for f in fields):
                return None
            return _Write(call, f"updates {_rows(receiver, model) if model else markup.code(ctx.code(receiver))}",
                          clear=True)
        if method in _MANAGER_CREATES and isinstance(receiver, cst.Attribute) \
                and receiver.attr.value in ("objects", "_default_manager"):
            model = self._model(receiver) or ctx.code(receiver)
            verb = "updates or creates" if method == "update_or_create" else \
                "updates" if method == "bulk_update" else "creates"
            if verb == "creates" and _bookkeeping_model(model):
                return None
            return _Write(call, f"{verb} {markup.code(model)} rows" if method.startswith("bulk")
                          else f"{verb} {_one(model)}", clear=verb != "creates", creates=verb == "creates")
        if method in ("add", "add_all", "merge") and self._db_receiver(receiver) and call.args:
            value = call.args[0].value
            model = self._model(value)
            if method == "add_all" or model is None or _bookkeeping_model(model) or not self._constructed(value):
                return None  # ``add(obj)`` of an object the handler changed: the commit and its assignments tell
            return _Write(call, f"adds {_one(model, 'new')}", clear=False, creates=True)
        if method == "save":
            return self._save(call, receiver, changed)
        if method in ("execute", "executemany", "executescript", "exec_driver_sql") and call.args:
            return self._sql(call, call.args[0].value)
        if _SENSITIVE_CALLS.match(method):
            return _Write(call, f"calls {markup.code(ctx.code(func) + '()')}", clear=False)
        return None

    def _save(self, call: cst.Call, receiver: cst.BaseExpression, changed: dict[str, list[str]]) -> _Write | None:
        ctx = self.ctx
        if any(a.keyword is None for a in call.args):
            return None  # ``image.save(path)``, ``file.save(dest)``: a file, not a row
        commit = ctx.argument(call, "commit")
        if commit is not None and ctx.literal(commit) is False:
            return None  # ``form.save(commit=False)`` writes nothing yet
        text = ctx.code(receiver)
        listed = ctx.literal(ctx.argument(call, "update_fields"))
        fields = [str(f) for f in listed] if isinstance(listed, (list, tuple)) else changed.get(text, [])
        if fields:
            real = [f for f in fields if not _bookkeeping_field(f)]
            if not real:
                return None
            return _Write(call, f"changes {markup.code(f'{text}.{real[0]}')}", clear=True)
        model = self._model(receiver)
        if model is not None and isinstance(receiver, cst.Name) and self._constructed(receiver):
            if _bookkeeping_model(model):
                return None
            return _Write(call, f"creates {_one(model, 'new')}", clear=False, creates=True)
        if set(split_words(text)) & ({"form", "serializer"} | _BOOKKEEPING_MODELS):
            return None
        return _Write(call, f"saves {markup.code(text)}", clear=False)

    def _sql(self, call: cst.Call, statement: cst.BaseExpression) -> _Write | None:
        ctx = self.ctx
        if isinstance(statement, cst.Name):
            bound = ctx.value_of(statement) or self._local_value(statement)
            if bound is not None:
                statement = bound
        if isinstance(statement, cst.Call):
            name = ctx.qualname(statement.func) or ""
            if name.startswith("sqlalchemy") and name.rsplit(".", 1)[-1] in ("update", "delete", "insert"):
                verb = name.rsplit(".", 1)[-1]
                return _Write(call, f"runs an SQL {verb.upper()}", clear=verb != "insert", creates=verb == "insert")
            if (name.endswith("text") or ctx.code(statement.func).endswith("text")) and statement.args:
                statement = statement.args[0].value
            else:
                root: cst.BaseExpression = statement
                while isinstance(root, cst.Call) and isinstance(root.func, cst.Attribute):
                    root = root.func.value  # ``update(Note).where(...).values(...)``
                if isinstance(root, cst.Call) and (ctx.qualname(root.func) or "").rsplit(".", 1)[-1] in (
                        "update", "delete") and (ctx.qualname(root.func) or "").startswith("sqlalchemy"):
                    return _Write(call, f"runs an SQL {(ctx.qualname(root.func) or '').rsplit('.', 1)[-1].upper()}",
                                  clear=True)
        text = _leading_text(statement)
        if text is None:
            return None
        match = _SQL_WRITE.match(text)
        if match is None:
            return None
        verb = match.group(1).upper()
        table = _SQL_TABLE.match(text)
        if table is not None and (_session_model(table.group(1)) or verb in ("INSERT", "REPLACE")
                                  and _bookkeeping_model(table.group(1))):
            return None
        if verb == "UPDATE":
            assignments = _SQL_SET.search(text)
            if assignments is not None:
                columns = re.findall(r"(\w+)\s*=", assignments.group(1))
                if columns and all(_bookkeeping_field(c) for c in columns):
                    return None
        where = f" on {markup.code(table.group(1))}" if table is not None else ""
        return _Write(call, f"runs an SQL {verb}{where}", clear=verb != "INSERT", creates=verb == "INSERT")

    def _committed(self, nodes: list[cst.CSTNode], changed: dict[str, list[str]]) -> list[_Write]:
        """A commit after the handler changed an attribute (clear) or called a method that may (less clear)."""
        for node in nodes:
            if isinstance(node, (cst.Assign, cst.AugAssign)):
                targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, cst.Attribute) and not _bookkeeping_field(target.attr.value) \
                            and not self._not_object(target.value):
                        return [_Write(node, f"changes {markup.code(self.ctx.code(target))}", clear=True)]
        for node in nodes:
            if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)):
                continue
            method = node.func.attr.value
            receiver = node.func.value
            words = split_words(method)
            if not words or words[0] not in _MUTATORS or _bookkeeping_field(method) \
                    or not isinstance(receiver, (cst.Name, cst.Attribute)):
                continue
            if words[0] in _COLLECTION_MUTATORS and not isinstance(receiver, cst.Attribute):
                continue  # ``items.append(x)`` on a local list; ``user.followed.append(x)`` is a relationship
            qual = self.ctx.qualname(receiver) or ""
            proxy = qual in PRINCIPAL_QUALS or qual.startswith(("flask.g.", "flask.globals.g.")) \
                or qual.endswith("current_user")
            if self._not_object(receiver) or self._not_db(receiver) or (qual and not proxy):
                continue  # a module's function (``json.dumps``), not an object the handler holds
            return [_Write(node, f"commits what {markup.code(self.ctx.code(node))} changes", clear=False)]
        return []

    def _changes(self, nodes: list[cst.CSTNode]) -> dict[str, list[str]]:
        """Attributes set on each object (by its source text): ``{"note": ["archived"]}``."""
        changed: dict[str, list[str]] = {}
        for node in nodes:
            if isinstance(node, (cst.Assign, cst.AugAssign)):
                targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, cst.Attribute):
                        changed.setdefault(self.ctx.code(target.value), []).append(target.attr.value)
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
                    and node.func.attr.value in _SENSITIVE_FIELD:
                changed.setdefault(self.ctx.code(node.func.value), []).append(_SENSITIVE_FIELD[node.func.attr.value])
        return changed

    # --- receivers and models -------------------------------------------------------------------------------------
    def _not_db(self, receiver: cst.BaseExpression) -> bool:
        """A cache, an HTTP client, the web session, a response, a file: not the database."""
        if self._web_session(receiver) or _is_request(receiver):
            return True
        name = self.ctx.qualname(receiver) or ""
        if name.split(".", 1)[0] in _NOT_DB_MODULES or name.startswith(("django.core.cache", "django.contrib.messages")):
            return True
        return bool(set(split_words(" ".join(_spine(receiver)))) & _NOT_DB)

    def _web_session(self, expr: cst.BaseExpression) -> bool:
        if self.ctx.qualname(expr) in _WEB_SESSIONS:
            return True
        return isinstance(expr, cst.Attribute) and expr.attr.value == "session" and _is_request(expr.value)

    def _db_receiver(self, receiver: cst.BaseExpression) -> bool:
        """``db.session``, ``session`` (SQLAlchemy), ``db`` (a FastAPI ``Session`` parameter)."""
        if self._web_session(receiver):
            return False
        tail = target_name(receiver) or ""
        return tail in ("session", "db", "db_session", "dbsession", "Session", "sess") or tail.endswith("_session")

    def _not_object(self, expr: cst.BaseExpression) -> bool:
        """The request, ``g``, ``self``, the web session, a form or a response: changing it writes no row."""
        root = expr
        while isinstance(root, (cst.Attribute, cst.Subscript, cst.Call)):
            root = root.value if isinstance(root, (cst.Attribute, cst.Subscript)) else root.func
        text = self.ctx.code(expr)
        if _is_request(expr) or self._web_session(expr) or text in ("g", "self", "cls"):
            return True
        if isinstance(root, cst.Name) and root.value in ("g", "self", "cls", "request", "req", "response", "resp",
                                                          "form", "app", "current_app", "config", "settings"):
            return not text.startswith(("request.user", "req.user", "self.request.user", "self.object", "g.user",
                                        "g.current_user"))
        return bool(set(split_words(" ".join(_spine(expr)))) & {"form", "response", "cache", "config", "settings"})

    def _model(self, expr: cst.BaseExpression, depth: int = 0) -> str | None:
        """The model a query, an object or a constructor names: ``Note`` in ``Note.query.filter_by(...)``,
        ``Note.objects.get(...)``, ``Note(...)``, ``get_object_or_404(Note, ...)``, or a local bound to one."""
        if depth > 3:
            return None
        if isinstance(expr, cst.Call):
            tail = target_name(expr.func) or ""
            if tail in ("get_object_or_404", "get_or_404", "get_list_or_404") and expr.args and isinstance(
                    expr.func, cst.Name):
                return self._model(expr.args[0].value, depth + 1)
            if tail in ("get", "get_or_404", "query", "execute") and expr.args and isinstance(expr.func, cst.Attribute) \
                    and self._db_receiver(expr.func.value):
                return self._model(expr.args[0].value, depth + 1)  # ``db.session.get(Note, id)``
            helper = self.ctx.index.functions.get(expr.func.value) if isinstance(expr.func, cst.Name) else None
            if helper is not None:  # ``_owned_note(note_id)``: what the module's helper returns
                for node in walk(helper.body):
                    if isinstance(node, cst.Return) and node.value is not None:
                        return self._model(node.value, depth + 1)
        root = expr
        while isinstance(root, (cst.Attribute, cst.Call, cst.Subscript)):
            if isinstance(root, cst.Call) and isinstance(root.func, cst.Attribute) and root.args \
                    and root.func.attr.value in ("query", "get", "select") and self._db_receiver(root.func.value):
                return self._model(root.args[0].value, depth + 1)  # ``db.query(Note).filter(...)``
            root = root.value if isinstance(root, (cst.Attribute, cst.Subscript)) else root.func
        if isinstance(root, cst.Name):
            if root.value[:1].isupper() and root.value not in ("Session",):
                return root.value
            if root is expr and depth < 3:
                value = self._local_value(root)
                if value is not None:
                    return self._model(value, depth + 1)
        return None

    def _constructed(self, expr: cst.BaseExpression) -> bool:
        """``Note(...)``, or a local bound to one: a new object, not a loaded one."""
        value = self._local_value(expr) if isinstance(expr, cst.Name) else expr
        return isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value[:1].isupper()

    def _local_value(self, name: cst.Name) -> cst.BaseExpression | None:
        """The last value a function assigns to ``name`` (in the function being checked)."""
        for function in self._functions_holding(name):
            value = None
            for node in walk(function.body):
                if isinstance(node, cst.Assign) and len(node.targets) == 1 \
                        and isinstance(node.targets[0].target, cst.Name) and node.targets[0].target.value == name.value:
                    value = node.value
            if value is not None:
                return value
        return None

    def _functions_holding(self, node: cst.CSTNode) -> list[cst.FunctionDef]:
        holder = _HOLDERS.get(self.ctx).get(id(node))
        return [holder] if holder is not None else []



def _holders(ctx: FileContext) -> dict[int, cst.FunctionDef]:
    """The innermost function holding each node of the module, by id(node)."""
    index: dict[int, cst.FunctionDef] = {}
    functions = [n for n in walk(ctx.module) if isinstance(n, cst.FunctionDef)]
    for function in reversed(functions):  # inner functions come later in pre-order: they win
        for child in walk(function.body):
            index.setdefault(id(child), function)
    return index


_HOLDERS: FileFact[dict[int, cst.FunctionDef]] = FileFact("state_change_on_get.holders", _holders)


def _is_request(expr: cst.BaseExpression) -> bool:
    """``request``, ``req``, ``self.request``."""
    if isinstance(expr, cst.Name):
        return expr.value in ("request", "req")
    return isinstance(expr, cst.Attribute) and expr.attr.value == "request" and isinstance(expr.value, cst.Name) \
        and expr.value.value == "self"


def _is_query(expr: cst.BaseExpression) -> bool:
    """``request.args``, ``request.GET``, ``request.query_params``."""
    return isinstance(expr, cst.Attribute) and expr.attr.value in ("args", "GET", "query_params", "values") \
        and _is_request(expr.value)


def _is_method(expr: cst.BaseExpression) -> bool:
    """``request.method`` (also ``.upper()``/``.lower()`` of it)."""
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in ("upper",
                                                                                                        "lower"):
        expr = expr.func.value
    return isinstance(expr, cst.Attribute) and expr.attr.value == "method" and _is_request(expr.value)


def _lists_get(methods: object) -> bool:
    """A route's ``methods=`` value answers GET (or cannot be read)."""
    if not isinstance(methods, (list, tuple, set)):
        return True
    return any(isinstance(m, str) and m.upper() == "GET" for m in methods)


def _terminates(block: cst.BaseSuite) -> bool:
    statements = block.body if isinstance(block, cst.IndentedBlock) else [block]
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, cst.SimpleStatementLine):
        return any(isinstance(s, (cst.Return, cst.Raise)) for s in last.body) or any(
            isinstance(s, cst.Expr) and isinstance(s.value, cst.Call) and target_name(s.value.func) == "abort"
            for s in last.body)
    if isinstance(last, cst.SimpleStatementSuite):
        return any(isinstance(s, (cst.Return, cst.Raise)) for s in last.body)
    return False


def _returns_function(function: cst.FunctionDef) -> bool:
    """A decorator: it defines a function and returns it."""
    inner = {n.name.value for n in walk(function.body) if isinstance(n, cst.FunctionDef)}
    return any(isinstance(n, cst.Return) and isinstance(n.value, cst.Name) and n.value.value in inner
               for n in walk(function.body))


def _spine(expr: cst.BaseExpression) -> list[str]:
    """The names along a receiver's chain, without call arguments: ``Note.objects.filter(owner=u)`` gives
    ``Note``, ``objects``, ``filter``."""
    names: list[str] = []
    node = expr
    while True:
        if isinstance(node, cst.Attribute):
            names.append(node.attr.value)
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Subscript):
            node = node.value
        else:
            break
    if isinstance(node, cst.Name):
        names.append(node.value)
    return names[::-1]


def _query_chain(receiver: cst.BaseExpression) -> bool:
    """``Note.objects.filter(...)``, ``Note.query.filter_by(...)``, ``db.session.query(Note).where(...)``."""
    node = receiver
    while isinstance(node, (cst.Attribute, cst.Call)):
        if isinstance(node, cst.Attribute):
            if node.attr.value in _QUERY_STEPS:
                return True
            node = node.value
        else:
            node = node.func
    return False


def _one(model: str, adjective: str = "") -> str:
    """``a `Note```, ``an `Invoice```, ``a new `Note```."""
    word = adjective or model
    article = "an" if word[:1].lower() in "aeiou" else "a"
    return f"{article} {adjective + ' ' if adjective else ''}{markup.code(model)}"


def _rows(receiver: cst.BaseExpression, model: str | None) -> str:
    if model is None:
        return "rows"
    return f"{markup.code(model)} rows" if _query_chain(receiver) else _one(model)


def _root_name(expr: cst.BaseExpression) -> str | None:
    """``notes`` in ``db.notes``/``db["notes"]``: the collection's name."""
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    if isinstance(expr, cst.Subscript) and len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
        value = expr.slice[0].slice.value
        if isinstance(value, cst.SimpleString):
            evaluated = value.evaluated_value
            return evaluated if isinstance(evaluated, str) else None
    return None


def _bookkeeping_model(name: str) -> bool:
    """``AuditLog``, ``PageView``, ``LoginAttempt``: a row that records, created as a side effect of reading."""
    return bool(set(split_words(name)) & _BOOKKEEPING_MODELS)


def _session_model(name: str) -> bool:
    """``Session``, ``UserSession``: removing one signs a user out, like a logout."""
    return bool(set(split_words(name)) & {"session", "sessions"})


def _bookkeeping_field(name: str) -> bool:
    """``last_seen``, ``view_count``, ``is_read``: when or how often, not what."""
    lowered = name.lower()
    words = split_words(name)
    return lowered in _BOOKKEEPING_FIELDS or (bool(words) and words[0] == "last") or bool(
        set(words) & _BOOKKEEPING_WORDS)


def _leading_text(expr: cst.BaseExpression) -> str | None:
    """The literal start of an SQL string: a plain string, an f-string's first part, a concatenation's left."""
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(expr, cst.ConcatenatedString):
        return _leading_text(expr.left)
    if isinstance(expr, cst.FormattedString):
        first = expr.parts[0] if expr.parts else None
        return first.value if isinstance(first, cst.FormattedStringText) else None
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Add, cst.Modulo)):
        return _leading_text(expr.left)
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "format":
        return _leading_text(expr.func.value)
    return None


_VERIFY_WORDS = frozenset({"verify", "check", "validate", "confirm", "redeem", "consume"})
_TOKEN_WORDS = frozenset({"token", "nonce", "code", "key", "signature", "link", "otp"})


def _verifies_a_url_token(call: cst.Call, params: set[str]) -> bool:
    """``verify_email_confirm_token(data)``: a URL variable handed to a check of a token, a nonce or a code."""
    words = set(split_words(_call_name(call)))
    return bool(words & _VERIFY_WORDS and words & _TOKEN_WORDS) and any(
        isinstance(arg.value, cst.Name) and arg.value.value in params for arg in call.args)


def _call_name(call: cst.Call) -> str:
    func = call.func
    return func.value if isinstance(func, cst.Name) else func.attr.value if isinstance(func, cst.Attribute) else ""
