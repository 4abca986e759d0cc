"""AR308 insecure-session-serializer: sessions or signed values the client holds, read back with a serializer
that runs code (pickle)."""

from __future__ import annotations

import re
from collections.abc import Callable

import libcst as cst

from ... import markup
from ...context import FileContext
from ...findings import Confidence, Severity
from ...frameworks import Origin, class_attr, resolve_class
from ...rule import Invalid, Valid
from ...walk import walk
from .._common import handler_flow
from ._shared import Setting, SettingsRule

# Modules whose ``loads`` runs code chosen by whoever wrote the bytes.
_PICKLE_MODULES = frozenset({"pickle", "cPickle", "_pickle", "six.moves.cPickle", "dill", "cloudpickle", "jsonpickle"})
_PICKLE_LOADS = frozenset({f"{m}.{f}" for m in _PICKLE_MODULES for f in ("loads", "load")} | {"jsonpickle.decode"})

_JSON_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"
_DJANGO_CLIENT_ENGINE = "signed_cookies"  # django.contrib.sessions.backends.signed_cookies (or a project subclass)

_FLASK_INTERFACES = frozenset({"flask.sessions.SecureCookieSessionInterface",
                               "quart.sessions.SecureCookieSessionInterface"})
_WERKZEUG_COOKIE = "werkzeug.contrib.securecookie.SecureCookie"  # pickle unless serialization_method is changed
_SECURE_COOKIES = frozenset({_WERKZEUG_COOKIE, "secure_cookie.cookie.SecureCookie"})  # the latter: json by default


def _itsdangerous(name: str) -> bool:
    """``itsdangerous.URLSafeTimedSerializer``, ``itsdangerous.jws.JSONWebSignatureSerializer``..."""
    return name.startswith("itsdangerous.") and name.endswith("Serializer")


def _flask_interface(name: str) -> bool:
    return name in _FLASK_INTERFACES


def _secure_cookie_class(name: str) -> bool:
    return name in _SECURE_COOKIES


# Class attributes that choose the serializer of a signed value: (attribute, the classes that read it, what it is).
_SERIALIZER_ATTRIBUTES: tuple[tuple[str, Callable[[str], bool], str], ...] = (
    ("serializer", _flask_interface, "Flask's cookie session"),
    ("default_serializer", _itsdangerous, "this itsdangerous serializer"),
    ("serialization_method", _secure_cookie_class, "this SecureCookie"),
)
# The same set from outside the class body (``app.session_interface.serializer = pickle``, ``self.serializer =
# pickle`` in ``__init__``, ``SecureCookie.serialization_method = pickle``); itsdangerous instances keep theirs in
# ``serializer`` too.
_ASSIGNED_ATTRIBUTES: dict[str, tuple[tuple[Callable[[str], bool], str], ...]] = {
    "serializer": ((_flask_interface, "Flask's cookie session"), (_itsdangerous, "this itsdangerous serializer")),
    "default_serializer": ((_itsdangerous, "this itsdangerous serializer"),),
    "serialization_method": ((_secure_cookie_class, "this SecureCookie"),),
}

# Calls that take the serializer of a signed (or plain) client value: qualname -> (keyword, position).
_SERIALIZER_ARGUMENTS: dict[str, tuple[str, int | None]] = {
    "pyramid.session.SignedCookieSessionFactory": ("serializer", None),
    "pyramid.session.BaseCookieSessionFactory": ("serializer", 0),
    "webob.cookies.SignedSerializer": ("serializer", None),
    "webob.cookies.SignedCookieProfile": ("serializer", None),
    "webob.cookies.CookieProfile": ("serializer", None),
    "django.core.signing.loads": ("serializer", 3),
}
# Calls that always unpickle a signed cookie.
_PYRAMID_PICKLED = frozenset({"pyramid.session.signed_deserialize",
                              "pyramid.session.UnencryptedCookieSessionFactoryConfig"})
_BOTTLE_GET_COOKIE = frozenset({"bottle.request.get_cookie", "bottle.BaseRequest().get_cookie",
                                "bottle.LocalRequest().get_cookie", "bottle.Request().get_cookie"})
_BEAKER_MIDDLEWARE = frozenset({"beaker.middleware.SessionMiddleware"})
_BEAKER_COOKIE_SESSION = "beaker.session.CookieSession"

_FORGE = ("anyone who learns the signing key (a leaked settings file, a debug page) can forge a value that runs "
          "code on the server when it is unpickled")


class InsecureSessionSerializer(SettingsRule):
    """What it does: flags sessions and signed values kept by the client (a cookie, a token) that the server
    reads back with pickle: Django's ``SESSION_SERIALIZER = "...PickleSerializer"`` (or a subclass) with
    the ``signed_cookies`` session engine, a Flask ``SecureCookieSessionInterface`` or an itsdangerous
    serializer given ``serializer = pickle``, Werkzeug's old ``SecureCookie`` (pickle by default), Beaker
    cookie sessions without ``data_serializer = "json"`` (pickle by default), Pyramid cookie sessions with
    ``PickleSerializer`` or ``signed_deserialize``, Bottle's signed cookies (``request.get_cookie(name,
    secret=...)`` always unpickles), and ``pickle.loads`` of a cookie, header or other request value.
    A Django ``PickleSerializer`` whose session engine this file does not set is reported at medium
    confidence; with a server-side engine (``db``, ``cache``, ``file``) it is not reported: the client then
    holds only a random session id. Development and test settings are not reported.

    Why is this bad: unpickling runs code named by the bytes being unpickled. A signature only says the
    bytes were made with the secret key: once ``SECRET_KEY`` leaks (a committed settings file, a debug
    page, a backup), an attacker signs a cookie that executes commands on the server, turning a
    disclosed secret into remote code execution. Unpickling an unsigned cookie or header needs no secret
    at all.

    Example:
        SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
        SESSION_SERIALIZER = "django.contrib.sessions.serializers.PickleSerializer"

    Use instead:
        SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
        SESSION_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"
    """

    id = "AR308"
    name = "insecure-session-serializer"
    title = "Client-side session or signed value deserialised with pickle"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 502
    in_tests = False
    bandit_equivalents = frozenset({"B301"})
    prefilter = re.compile(r"(?i)pickle|session_serializer|securecookie|secure_cookie|get_cookie|cookie_decode|"
                           r"session\.type|beaker|signed_deserialize|unencryptedcookie|\bdill\b")
    KEYS = frozenset({"SESSION_SERIALIZER", "SESSION_ENGINE"})

    VALID = [
        # JSON in the cookie, or the default serializer (JSON since Django 1.6).
        'SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"\n'
        'SESSION_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"\n',
        'SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"\n',
        # Server-side sessions: the cookie holds a random id, the pickle stays on the server.
        'SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"\n'
        'SESSION_SERIALIZER = "django.contrib.sessions.serializers.PickleSerializer"\n',
        # Development and test settings.
        Valid('SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"\n'
              'SESSION_SERIALIZER = "django.contrib.sessions.serializers.PickleSerializer"\n',
              path="mysite/settings/dev.py"),
        # A project class named PickleSerializer that writes JSON.
        "import json\nclass PickleSerializer:\n    def dumps(self, obj):\n        return json.dumps(obj).encode()\n"
        "    def loads(self, data):\n        return json.loads(data)\n"
        'SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"\n'
        'SESSION_SERIALIZER = "example.PickleSerializer"\n',
        # itsdangerous and Flask with their JSON defaults.
        "from itsdangerous import URLSafeTimedSerializer\nsigner = URLSafeTimedSerializer(KEY, salt='remember')\n",
        "import json\nfrom flask.sessions import SecureCookieSessionInterface\n"
        "class Sessions(SecureCookieSessionInterface):\n    serializer = json\n",
        # pickle for a cache the server wrote, not for a client value.
        "import pickle\nfrom flask import Flask, request\napp = Flask(__name__)\n"
        "@app.get('/report')\ndef report():\n    raw = cache.get('report:' + request.args['id'])\n"
        "    return pickle.loads(raw) if raw else {}\n",
        # Werkzeug's SecureCookie switched to JSON; secure-cookie's is JSON already.
        "import json\nfrom werkzeug.contrib.securecookie import SecureCookie\n"
        "class JSONSecureCookie(SecureCookie):\n    serialization_method = json\n"
        "def load(request):\n    return JSONSecureCookie.load_cookie(request, secret_key=KEY)\n",
        "from secure_cookie.cookie import SecureCookie\n"
        "def load(request):\n    return SecureCookie.load_cookie(request, secret_key=KEY)\n",
        # Bottle cookies without a secret are plain strings; Beaker and Pyramid with JSON.
        "from bottle import request\ndef theme():\n    return request.get_cookie('theme', 'light')\n",
        "from beaker.middleware import SessionMiddleware\n"
        "app = SessionMiddleware(app, {'session.type': 'cookie', 'session.validate_key': KEY,\n"
        "                              'session.data_serializer': 'json'})\n",
        "from beaker.middleware import SessionMiddleware\n"
        "app = SessionMiddleware(app, {'session.type': 'ext:database', 'session.url': DB})\n",
        "from pyramid.session import SignedCookieSessionFactory\nfactory = SignedCookieSessionFactory(KEY)\n",
    ]
    INVALID = [
        Invalid(
            'SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"\n'
            'SESSION_SERIALIZER = "django.contrib.sessions.serializers.PickleSerializer"\n',
            fixed='SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"\n'
                  'SESSION_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"\n',
            confidence=Confidence.HIGH,
        ),
        Invalid(
            "from django.conf import settings\n"
            "settings.configure(\n    SESSION_ENGINE='django.contrib.sessions.backends.signed_cookies',\n"
            "    SESSION_SERIALIZER='django.contrib.sessions.serializers.PickleSerializer',\n)\n",
            fixed="from django.conf import settings\n"
                  "settings.configure(\n    SESSION_ENGINE='django.contrib.sessions.backends.signed_cookies',\n"
                  "    SESSION_SERIALIZER='django.contrib.sessions.serializers.JSONSerializer',\n)\n",
            confidence=Confidence.HIGH,
        ),
        # The engine is set in a settings file not seen here.
        Invalid(
            'from .base import *\nSESSION_SERIALIZER = "django.contrib.sessions.serializers.PickleSerializer"\n',
            fixed='from .base import *\nSESSION_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"\n',
            path="mysite/settings/production.py",
            confidence=Confidence.MEDIUM,
        ),
        # A project subclass of Django's PickleSerializer.
        Invalid(
            "from django.contrib.sessions.serializers import PickleSerializer\n"
            "class CompatSerializer(PickleSerializer):\n    protocol = 2\n"
            "SESSION_ENGINE = 'django.contrib.sessions.backends.signed_cookies'\n"
            "SESSION_SERIALIZER = 'settings.CompatSerializer'\n",
            fixed="from django.contrib.sessions.serializers import PickleSerializer\n"
                  "class CompatSerializer(PickleSerializer):\n    protocol = 2\n"
                  "SESSION_ENGINE = 'django.contrib.sessions.backends.signed_cookies'\n"
                  "SESSION_SERIALIZER = 'django.contrib.sessions.serializers.JSONSerializer'\n",
            path="settings.py",
        ),
        Invalid("import pickle\nfrom itsdangerous import URLSafeSerializer\n"
                "remember = URLSafeSerializer(KEY, 'remember-me', serializer=pickle)\n"),
        Invalid("import pickle\nfrom flask.sessions import SecureCookieSessionInterface\n"
                "class PickledSessions(SecureCookieSessionInterface):\n    serializer = pickle\n"),
        Invalid("import pickle\nfrom flask import Flask\napp = Flask(__name__)\n"
                "app.session_interface.serializer = pickle\n"),
        Invalid("from werkzeug.contrib.securecookie import SecureCookie\n"
                "def session(request):\n    return SecureCookie.load_cookie(request, secret_key=KEY)\n"),
        Invalid("from bottle import request, route\n@route('/cart')\ndef cart():\n"
                "    return request.get_cookie('cart', secret=KEY) or []\n", confidence=Confidence.MEDIUM),
        Invalid("import base64, pickle\nfrom flask import Flask, request\napp = Flask(__name__)\n"
                "@app.get('/prefs')\ndef prefs():\n    raw = request.cookies.get('prefs', '')\n"
                "    return pickle.loads(base64.b64decode(raw))\n", confidence=Confidence.HIGH),
        Invalid("from beaker.middleware import SessionMiddleware\n"
                "opts = {'session.type': 'cookie', 'session.validate_key': KEY}\n"
                "app = SessionMiddleware(app, opts)\n"),
        Invalid("from pyramid.session import PickleSerializer, SignedCookieSessionFactory\n"
                "factory = SignedCookieSessionFactory(KEY, serializer=PickleSerializer())\n"),
        Invalid("from django.contrib.sessions.serializers import PickleSerializer\nfrom django.core import signing\n"
                "def restore(token):\n    return signing.loads(token, salt='cart', serializer=PickleSerializer)\n"),
    ]

    # --- Django settings ---------------------------------------------------------------------
    def finish(self) -> None:
        for setting in self.settings:
            if setting.key == "SESSION_SERIALIZER" and not setting.dev and not self.overridden(setting):
                self._check_django(setting)

    def _check_django(self, setting: Setting) -> None:
        ctx = self.ctx
        path = ctx.string(setting.value)
        if path is None or not self._path_pickles(path):
            return
        engines = [ctx.string(s.value) for s in self.lookup("SESSION_ENGINE", setting)]
        if not engines:
            engines = self._star_imported_engines(ctx, 0)
        if any(e is not None and e.endswith(_DJANGO_CLIENT_ENGINE) for e in engines):
            where = f"and sessions live in the client's cookie (the {markup.code(_DJANGO_CLIENT_ENGINE)} engine)"
            confidence = Confidence.HIGH
        elif engines and all(e is not None for e in engines):
            return  # a server-side engine: the client holds a random session id, never the pickle
        else:
            where = (f"and if the session engine (not known from this file) is {markup.code(_DJANGO_CLIENT_ENGINE)}, "
                     "sessions live in the client's cookie")
            confidence = Confidence.MEDIUM
        fix = None
        if isinstance(setting.value, cst.SimpleString):
            quote = setting.value.quote
            fix = ctx.replace(setting.value, f"{setting.value.prefix}{quote}{_JSON_SERIALIZER}{quote}",
                              f"SESSION_SERIALIZER = {_JSON_SERIALIZER}")
        self.report(
            setting.value,
            f"{markup.code('SESSION_SERIALIZER')} is a pickle serializer {where}: {_FORGE}; use "
            f"{markup.code(_JSON_SERIALIZER)}",
            fix=fix, confidence=confidence,
        )

    def _path_pickles(self, path: str) -> bool:
        """Whether the dotted path names a pickle serializer: a class of the project (followed when it can be
        seen) that subclasses one or unpickles, else any class named ``...PickleSerializer``."""
        ctx = self.ctx
        module, _, name = path.rpartition(".")
        found = ctx.project.definition(path) if ctx.project is not None else None
        if found is None and name in ctx.index.classes \
                and module.rpartition(".")[2] == ctx.index.module_name.rpartition(".")[2]:
            found = (ctx, ctx.index.classes[name])
        if found is not None and isinstance(found[1], cst.ClassDef):
            return _class_pickles(found[0], found[1], 0)
        return name.endswith("PickleSerializer")

    def _star_imported_engines(self, ctx: FileContext, depth: int) -> list[str | None]:
        """``SESSION_ENGINE`` values of the settings modules this one star-imports (``from .base import *``),
        when the project is known."""
        if ctx.project is None or depth > 3:
            return []
        found: list[str | None] = []
        for statement in ctx.module.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if not (isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar)):
                    continue
                module = ctx.dotted_name(small.module) if small.module is not None else ""
                other = ctx.project.context_for_module(ctx.index._absolute(len(small.relative), module or ""))
                if other is None:
                    continue
                values = other.index.bindings.get((id(other.module), "SESSION_ENGINE"), [])
                found.extend(other.string(v) for v in values)
                if not values:
                    found.extend(self._star_imported_engines(other, depth + 1))
        return found

    # --- serializers given to signers and session interfaces -----------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        """``class S(SecureCookieSessionInterface): serializer = pickle`` and the like."""
        for attribute, reads, what in _SERIALIZER_ATTRIBUTES:
            value = class_attr(node, attribute)
            if value is None or not _pickles(self.ctx, value):
                continue
            if _root_of(self.ctx, node, reads, 0) is not None:
                self._report_serializer(value, what)

    def visit_Assign(self, node: cst.Assign) -> None:
        super().visit_Assign(node)
        for target in node.targets:
            owner = target.target
            if not isinstance(owner, cst.Attribute) or owner.attr.value not in _ASSIGNED_ATTRIBUTES \
                    or not _pickles(self.ctx, node.value):
                continue
            what = self._serializer_owner(owner.value, owner.attr.value)
            if what is not None:
                self._report_serializer(node.value, what)

    def _serializer_owner(self, owner: cst.BaseExpression, attribute: str) -> str | None:
        """What ``owner.<attribute> = pickle`` configures: ``app.session_interface.serializer``, an itsdangerous
        serializer's ``serializer``, ``SecureCookie.serialization_method``, ``self.serializer`` in a subclass."""
        ctx = self.ctx
        if attribute == "serializer" and isinstance(owner, cst.Attribute) and owner.attr.value == "session_interface":
            return "Flask's cookie session"
        cls = ctx.enclosing(cst.ClassDef) if isinstance(owner, cst.Name) and owner.value == "self" else None
        qual = (ctx.qualname(owner) or "").removesuffix("()")
        for reads, what in _ASSIGNED_ATTRIBUTES[attribute]:
            if isinstance(cls, cst.ClassDef):
                if _root_of(ctx, cls, reads, 0) is not None:
                    return what
            elif reads(qual) or _class_root(ctx, owner, reads):
                return what
        return None

    def _report_serializer(self, value: cst.BaseExpression, what: str) -> None:
        self.report(value, f"{what} signs values it hands to the client and reads them back with "
                           f"{markup.code(self.ctx.code(value))}: {_FORGE}; use JSON (the default)")

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        ctx = self.ctx
        qual = ctx.qualname(node.func) or ""
        if qual in _PICKLE_LOADS:
            self._pickle_of_request(node, qual)
        elif qual in _BOTTLE_GET_COOKIE or qual == "bottle.cookie_decode":
            self._bottle(node, qual)
        elif qual in _PYRAMID_PICKLED:
            if qual.endswith("signed_deserialize") or ctx.keyword(node, "signed_deserialize") is None:
                self.report(node, f"Pyramid's {markup.code(qual.rpartition('.')[2])} reads the session cookie with "
                                  f"pickle: {_FORGE}; use {markup.code('SignedCookieSessionFactory')} with its JSON "
                                  "serializer")
        elif qual in _BEAKER_MIDDLEWARE or qual == _BEAKER_COOKIE_SESSION:
            self._beaker(node, qual)
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value in ("load_cookie", "unserialize"):
            self._secure_cookie(node)
        else:
            self._serializer_argument(node, qual)

    def _serializer_argument(self, node: cst.Call, qual: str) -> None:
        """``URLSafeSerializer(key, serializer=pickle)``, ``signing.loads(t, serializer=PickleSerializer)``."""
        ctx = self.ctx
        where: tuple[str, int | None] | None = _SERIALIZER_ARGUMENTS.get(qual)
        if where is None and qual.startswith("django.core.signing.") and qual.endswith(".unsign_object"):
            where = ("serializer", 1)
        if where is None and (_itsdangerous(qual) or (ctx.keyword(node, "serializer") is not None or len(node.args) > 2)
                              and _class_root(ctx, node.func, _itsdangerous)):
            where = ("serializer", 2)  # an itsdangerous serializer or a project subclass of one
        if where is None:
            return
        value = ctx.argument(node, *where)
        if value is None or not _pickles(ctx, value):
            return
        risk = _FORGE if qual != "webob.cookies.CookieProfile" else \
            ("the cookie is not even signed, so any client can send one that runs code on the server when it is "
             "unpickled")
        self.report(value, f"{markup.code(ctx.code(node.func))} reads back the value it gives the client with "
                           f"{markup.code(ctx.code(value))}: {risk}; use JSON (the default)")

    # --- always pickled ------------------------------------------------------------------------
    def _bottle(self, node: cst.Call, qual: str) -> None:
        if qual != "bottle.cookie_decode":
            secret = self.ctx.argument(node, "secret", 2)
            if secret is None or self.ctx.literal(secret) in (None, "", b"", False):
                return
        self.report(node, "Bottle's signed cookies are pickled: reading one with a secret unpickles it, so "
                          f"{_FORGE}; keep only a random session id in the cookie (or JSON you sign yourself) and "
                          "the data on the server", confidence=Confidence.MEDIUM)

    def _secure_cookie(self, node: cst.Call) -> None:
        """``SecureCookie.load_cookie(request, secret_key=...)`` of Werkzeug's SecureCookie, which unpickles
        unless ``serialization_method`` is replaced (a class that sets it to pickle is reported there)."""
        assert isinstance(node.func, cst.Attribute)
        found = _class_setting(self.ctx, node.func.value, "serialization_method", 0)
        if found is None or found[0] != _WERKZEUG_COOKIE or found[1] is not None:
            return
        self.report(node, f"Werkzeug's {markup.code('SecureCookie')} reads the cookie with pickle by default: "
                          f"{_FORGE}; subclass it with {markup.code('serialization_method = json')} (or use "
                          "Flask's session)")

    def _beaker(self, node: cst.Call, qual: str) -> None:
        """Beaker cookie sessions: ``session.type = cookie`` without ``session.data_serializer = json``
        (Beaker's default is pickle)."""
        ctx = self.ctx
        options: dict[str, cst.BaseExpression] = {}
        anchor: cst.BaseExpression = node
        if qual in _BEAKER_MIDDLEWARE:
            config = ctx.argument(node, "config", 1)
            if isinstance(config, cst.Name):
                if _mutated(ctx, config.value):
                    return
                config = ctx.value_of(config)
            if isinstance(config, cst.Dict):
                for element in config.elements:
                    key = ctx.string(element.key) if isinstance(element, cst.DictElement) else None
                    if key is None:
                        return  # ``**other``: not all options are known
                    options[key.removeprefix("beaker.").removeprefix("session.")] = element.value
            elif config is not None:
                return  # read from a file: unknown
        if ctx.has_star_kwargs(node):
            return
        options.update({arg.keyword.value: arg.value for arg in node.args if arg.keyword is not None})
        if qual in _BEAKER_MIDDLEWARE:
            if ctx.string(options.get("type")) != "cookie":
                return
            anchor = options["type"]
        serializer = options.get("data_serializer")
        if serializer is not None and ctx.string(serializer) != "pickle" \
                and (ctx.string(serializer) is not None or not _pickles(ctx, serializer)):
            return
        self.report(anchor, "Beaker cookie sessions are pickled unless told otherwise: the session is in the "
                            f"client's cookie, so {_FORGE}; set {markup.code('session.data_serializer')} to "
                            f"{markup.code('json')}")

    # --- pickle.loads of a request value --------------------------------------------------------
    def _pickle_of_request(self, node: cst.Call, qual: str) -> None:
        ctx = self.ctx
        arg = ctx.argument(node, "data", 0)
        function = ctx.enclosing_function()
        if arg is None or function is None:
            return
        flow, _label, endpoint = handler_flow(ctx, function)
        origin: Origin | None = None
        for expr in _decoded(ctx, arg):
            origin = flow.client_origin(expr)
            if origin is not None and not endpoint and origin.kind == "path parameter":
                origin = None  # a helper's parameters are not request data
            origin = origin or self._bottle_request_value(expr)
            if origin is not None:
                break
        if origin is None:
            return
        text = f"{origin.kind} {origin.text}".lower()
        channel = "a cookie" if "cookie" in text else "a header" if "header" in text or "meta" in text \
            else "a request value"
        self.report(node, f"{markup.code(qual)} unpickles {origin.markdown()}, {channel} the client sends: the client "
                          "chooses the code that runs on the server; keep the data on the server (send only a random "
                          "id) or use JSON in the framework's signed session")

    def _bottle_request_value(self, arg: cst.BaseExpression) -> Origin | None:
        """Bottle's request is a global the flow does not know: ``request.cookies[...]``,
        ``request.cookies.get(...)``, ``request.get_header(...)``."""
        ctx = self.ctx
        node = arg
        while isinstance(node, (cst.Subscript, cst.Call, cst.Attribute)):
            if (ctx.qualname(node) or "").startswith("bottle.request."):
                return Origin("", ctx.code(arg))
            node = node.value if isinstance(node, (cst.Subscript, cst.Attribute)) else node.func
        return None


# --- helpers --------------------------------------------------------------------------------------

# Calls that turn a cookie or header into the bytes pickle reads, keeping who chose them.
_DECODERS = frozenset({"b64decode", "urlsafe_b64decode", "standard_b64decode", "b32decode", "b16decode", "a85decode",
                       "b85decode", "decodebytes", "a2b_base64", "unhexlify", "fromhex", "decompress", "unquote",
                       "unquote_to_bytes", "unquote_plus", "encode", "bytes", "base64_decode"})


def _decoded(ctx: FileContext, expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    """``expr`` and what it decodes: ``b64decode(zlib.decompress(raw))`` -> it, ``zlib...``, ``raw``, and
    the one value ``raw`` is bound to in the function."""
    found: list[cst.BaseExpression] = []
    while len(found) < 8:
        found.append(expr)
        if isinstance(expr, cst.Call) and expr.args and not expr.args[0].star:
            func = expr.func
            tail = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) \
                else ""
            if tail not in _DECODERS:
                break
            expr = func.value if tail == "encode" and isinstance(func, cst.Attribute) else expr.args[0].value
        elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "encode":
            expr = expr.func.value  # ``raw.encode()``
        elif isinstance(expr, cst.Name) and (bound := ctx.value_of(expr)) is not None:
            expr = bound
        else:
            break
    return found


def _pickles(ctx: FileContext, expr: cst.BaseExpression) -> bool:
    """``pickle``, ``cPickle``, ``PickleSerializer()``, a project class that subclasses one or unpickles."""
    target = expr.func if isinstance(expr, cst.Call) else expr
    qual = (ctx.qualname(target) or "").removesuffix("()")
    if qual in _PICKLE_MODULES:
        return True
    found = resolve_class(ctx, target)
    if found is not None:
        return _class_pickles(found[0], found[1], 0)
    return qual.endswith(".PickleSerializer")


def _class_pickles(ctx: FileContext, cls: cst.ClassDef, depth: int) -> bool:
    """A serializer class that unpickles: it subclasses a ``PickleSerializer`` (Django's, Pyramid's) or its
    ``loads`` calls ``pickle.loads``."""
    for base in cls.bases:
        found = resolve_class(ctx, base.value)
        if found is not None and found[1] is not cls:
            if depth < 4 and _class_pickles(found[0], found[1], depth + 1):
                return True
        elif (ctx.qualname(base.value) or "").endswith(".PickleSerializer"):
            return True
    for statement in cls.body.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value in ("loads", "load"):
            if any(isinstance(n, cst.Call) and ctx.qualname(n.func) in _PICKLE_LOADS for n in walk(statement)):
                return True
    return False


def _root_of(ctx: FileContext, cls: cst.ClassDef, reads: Callable[[str], bool], depth: int) -> str | None:
    """The library class ``cls`` derives from that ``reads`` accepts, following the project's classes."""
    for base in cls.bases:
        qual = (ctx.qualname(base.value) or "").removesuffix("()")
        if reads(qual):
            return qual
        found = resolve_class(ctx, base.value)
        if found is not None and found[1] is not cls and depth < 4:
            root = _root_of(found[0], found[1], reads, depth + 1)
            if root is not None:
                return root
    return None


def _class_root(ctx: FileContext, expr: cst.BaseExpression, reads: Callable[[str], bool]) -> bool:
    """Whether ``expr`` names a project class derived from one ``reads`` accepts."""
    found = resolve_class(ctx, expr)
    return found is not None and _root_of(found[0], found[1], reads, 0) is not None


def _class_setting(ctx: FileContext, expr: cst.BaseExpression, attribute: str, depth: int
                   ) -> tuple[str, cst.BaseExpression | None] | None:
    """(the SecureCookie class ``expr`` derives from, the nearest ``attribute`` a project class sets or None)."""
    qual = (ctx.qualname(expr) or "").removesuffix("()")
    if qual in _SECURE_COOKIES:
        return qual, None
    found = resolve_class(ctx, expr)
    if found is None or depth > 4:
        return None
    owner_ctx, cls = found
    own = class_attr(cls, attribute)
    for base in cls.bases:
        if base.value is expr:
            continue
        result = _class_setting(owner_ctx, base.value, attribute, depth + 1)
        if result is not None:
            return (result[0], own) if own is not None else result
    return None


def _mutated(ctx: FileContext, name: str) -> bool:
    """``opts["session.data_serializer"] = ...`` or ``opts.update(...)`` somewhere in the file."""
    for node in walk(ctx.module):
        if isinstance(node, cst.Assign) and any(
                isinstance(t.target, cst.Subscript) and isinstance(t.target.value, cst.Name)
                and t.target.value.value == name for t in node.targets):
            return True
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "update" \
                and isinstance(node.func.value, cst.Name) and node.func.value.value == name:
            return True
    return False


__all__ = ["InsecureSessionSerializer"]
