"""AR503 plaintext-password: passwords stored, looked up or compared in plain text."""

from __future__ import annotations

import re

import libcst as cst

from ... import markup
from ...context import FileContext
from ...findings import Confidence, Fix, Severity
from ...project import Project, ProjectFact
from ...rule import Invalid, Rule
from .._common import is_env_read, target_name
from ._shared import (
    COMPARE_DIGEST,
    FRAMEWORK_API,
    USER_CLASS,
    USERISH,
    bindings,
    import_note,
    is_userish_base,
    last_name,
    name_parts,
    password_in_call,
    password_name,
    password_parts,
    password_source,
    project_framework,
    subscript_literal_key,
)

# --- vocabulary: what names hold a password ------------------------------------------

_STORED_NAMES = re.compile(
    r"^(?:stored|saved|expected|correct|real|actual|existing|db|database|known|valid|right)_(?:password|passwd|pwd|pw)$",
    re.IGNORECASE,
)
_USER_DICT = re.compile(r"^(?:.*_)?(?:users|accounts|passwords|passwds|credentials|user_db|users_db|logins)$", re.I)


def _raw_password(ctx: FileContext, node: cst.CSTNode | None, depth: int = 0) -> bool:
    """A password exactly as the user typed it: no hashing on the way."""
    if node is None or depth > 3:
        return False
    if isinstance(node, cst.Name):
        if not password_name(node.value):
            return False
        values = bindings(ctx, node.value)
        # Every binding is a parameter or another raw read: ``password = form.password.data``.
        return values is not None and all(v is None or _raw_password(ctx, v, depth + 1) for v in values)
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("strip", "rstrip", "lstrip"):
            return _raw_password(ctx, func.value, depth)
        if ctx.qualname(func) == "builtins.str" and len(node.args) == 1:
            return _raw_password(ctx, node.args[0].value, depth)
        return password_in_call(ctx, node, depth) is node
    if isinstance(node, (cst.Attribute, cst.Subscript)):
        return password_source(ctx, node, depth) is node
    return False


# Where an app keeps its own accounts (written to): not ``credentials``, which a client also uses for the
# logins it sends to other services, nor ``passwords``, which a password manager keeps per site.
_ACCOUNT_STORE = re.compile(r"^(?:.*_)?(?:users|accounts|members|customers|user_db|users_db|logins)$", re.I)


def _user_store(node: cst.CSTNode, pattern: re.Pattern[str] = _ACCOUNT_STORE) -> bool:
    """A mapping or list of accounts kept by the app: ``USERS``, ``accounts``, ``user_db``."""
    return isinstance(node, (cst.Name, cst.Attribute)) and bool(pattern.match(last_name(node) or ""))


def _long_lived(ctx: FileContext, node: cst.CSTNode) -> bool:
    """A store that outlives the call writing to it: a module-level or imported name, or an attribute of ``self``
    (an in-memory repository). A local or a parameter is a payload being built (``users.append({...})`` for an
    API call), not where the app keeps its accounts."""
    if isinstance(node, cst.Attribute):
        return isinstance(node.value, cst.Name) and node.value.value == "self"
    if not isinstance(node, cst.Name):
        return False
    for scope in ctx.stack:
        if isinstance(scope, (cst.FunctionDef, cst.Lambda)) and (id(scope), node.value) in ctx.index.bindings:
            return False
    return (id(ctx.module), node.value) in ctx.index.bindings or node.value in ctx.index.imports


def _account_entry(ctx: FileContext, node: cst.CSTNode, pattern: re.Pattern[str] = _ACCOUNT_STORE) -> bool:
    """One account of such a store: ``users[name]``, ``users.get(name)``."""
    if isinstance(node, cst.Subscript):
        return _user_store(node.value, pattern) and not isinstance(subscript_literal_key(ctx, node), str)
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get" \
        and _user_store(node.func.value, pattern) and bool(node.args) \
        and not isinstance(ctx.literal(node.args[0].value), str)


def _stored_password(ctx: FileContext, node: cst.CSTNode) -> bool:
    """The password kept for an account: ``user.password``, ``row["password"]``, ``users[name]``."""
    if isinstance(node, cst.Attribute):
        return node.attr.value in ("password", "passwd", "pwd", "pass_word") and is_userish_base(node.value, ctx)
    if isinstance(node, cst.Subscript):
        key = subscript_literal_key(ctx, node)
        if isinstance(key, str):
            return key in ("password", "passwd", "pwd") and (is_userish_base(node.value, ctx)
                                                             or _account_entry(ctx, node.value, _USER_DICT))
        return bool(_USER_DICT.match(last_name(node.value) or ""))
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get":
        if node.args and not isinstance(ctx.literal(node.args[0].value), str):
            return bool(_USER_DICT.match(last_name(node.func.value) or ""))
        return False
    if isinstance(node, cst.Name):
        return bool(_STORED_NAMES.match(node.value))
    return False


# Word parts of a password name that keep it the user's own password (``new_password``), not a service
# credential read from configuration (``db_password``, ``smtp_password``).
_USER_PASSWORD_PREFIXES = frozenset({
    "", "new", "raw", "plain", "plaintext", "clear", "cleartext", "user", "account", "input", "candidate", "given",
    "submitted", "initial", "current", "confirm", "confirmed", "login", "signup", "register", "password", "pass",
})
_PASSWORD_KEYS = ("password", "passwd", "pwd", "pw", "pass", "plain_password")


def _password_label(ctx: FileContext, node: cst.CSTNode, depth: int = 0) -> str | None:
    """The name under which a raw password is read: ``form.password.data`` -> password, ``request.form["pwd"]`` -> pwd."""
    if depth > 3:
        return None
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        if node.attr.value in ("data", "value"):
            return _password_label(ctx, node.value, depth + 1)
        return node.attr.value
    if isinstance(node, cst.Subscript):
        key = subscript_literal_key(ctx, node)
        return key if isinstance(key, str) else None
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        if node.func.attr.value in ("strip", "rstrip", "lstrip", "encode", "decode"):
            return _password_label(ctx, node.func.value, depth + 1)
        if node.args:
            key = ctx.literal(node.args[0].value)
            return key if isinstance(key, str) else None
    if isinstance(node, cst.Call) and ctx.qualname(node.func) == "builtins.str" and node.args:
        return _password_label(ctx, node.args[0].value, depth + 1)
    return None


def _typed_password(ctx: FileContext, node: cst.CSTNode | None) -> bool:
    """A password as the user typed it for their own account: raw, and neither read from the environment nor
    named for a service (``DB_PASSWORD``)."""
    if node is None or not _raw_password(ctx, node) or is_env_read(ctx, node):
        return False
    label = _password_label(ctx, node)
    if label is None:
        return False
    found, rest = password_parts(label)
    return found and rest <= _USER_PASSWORD_PREFIXES


def _password_element(ctx: FileContext, node: cst.CSTNode | None, depth: int = 0) -> cst.DictElement | None:
    """The ``"password": <typed password>`` entry of an account record: a dict literal, or a name bound to one,
    or ``dict(password=...)``."""
    if node is None or depth > 1:
        return None
    if isinstance(node, cst.Name):
        return _password_element(ctx, ctx.value_of(node), depth + 1)
    if isinstance(node, cst.Dict):
        for element in node.elements:
            if isinstance(element, cst.DictElement) and ctx.string(element.key) in _PASSWORD_KEYS \
                    and _typed_password(ctx, element.value):
                return element
    return None


_REDIS_MODULES = ("redis.", "aioredis.", "fakeredis.", "valkey.", "coredis.")
_REDIS_NAME = re.compile(r"(?i)^(?:.*_)?(?:redis|valkey|rds)(?:_?(?:client|conn|connection|db|store|cache|pool))?$")
_REDIS_WRITES = {"hset": 1, "hsetnx": 1, "hmset": None, "set": 0, "setnx": 0, "setex": 0, "psetex": 0, "getset": 0}
_REDIS_VALUE_INDEX = {"hset": 2, "hsetnx": 2, "set": 1, "setnx": 1, "setex": 2, "psetex": 2, "getset": 1}


def _key_names_password(ctx: FileContext, node: cst.CSTNode | None) -> bool:
    """A cache key or hash field naming a password: ``"password"``, ``f"user:{u}:password"``, ``"pwd:" + u``."""
    if node is None:
        return False
    if isinstance(node, cst.FormattedString):
        text = "".join(p.value for p in node.parts if isinstance(p, cst.FormattedStringText))
    elif isinstance(node, cst.BinaryOperation):
        return _key_names_password(ctx, node.left) or _key_names_password(ctx, node.right)
    else:
        value = ctx.string(node)
        if value is None:
            return False
        text = value
    return any(part in ("password", "passwd", "pwd", "pw") for part in name_parts(text))


# ======================================================================================
# AR503 plaintext-password
# ======================================================================================

_SQL_WRITE = re.compile(
    r"(?is)\binsert\s+into\s+[`\"\[]?(?P<table>\w+)[`\"\]]?\s*\((?P<cols>[^)]*)\)|\bupdate\s+[`\"\[]?(?P<utable>\w+)[`\"\]]?\s+set\s+(?P<sets>.*?)(?:\bwhere\b|$)"
)
_PLAIN_COLUMN = re.compile(r"(?i)(?:^|[\s,`\"\[])(password|passwd|pwd|pass)[`\"\]]?\s*(?:,|=|$)")
_LOOKUPS = frozenset({"filter_by", "filter", "get", "find_one", "find", "get_or_none", "first_or_404", "one_or_none"})
_SQL_WHERE_PASSWORD = re.compile(r"(?is)\bselect\b.*\bfrom\s+[`\"\[]?(?P<table>\w+).*\bwhere\b.*\b(?:password|passwd|pwd)[`\"\]]?\s*=")
_MONGO_WRITES = frozenset({"insert_one", "insert_many", "update_one", "update_many", "replace_one", "find_one_and_update"})
_DJANGO_WRITES = frozenset({"create", "update", "update_or_create", "get_or_create"})


_PASSWORD_ATTRS = ("password", "passwd", "pwd")
_SETTER_HINT = re.compile(rb"\.setter|validates|synonym|property\(|__setattr__")


def _file_hashes_on_set(ctx: FileContext) -> bool:
    for node in ctx.descendants(ctx.module):
        if isinstance(node, cst.FunctionDef):
            if node.name.value == "__setattr__":
                return True
            if node.name.value in _PASSWORD_ATTRS and any(
                    isinstance(d.decorator, cst.Attribute) and d.decorator.attr.value in ("setter", "expression")
                    or "validates" in ctx.code(d.decorator) for d in node.decorators):
                return True
        elif isinstance(node, cst.Decorator) and re.match(r".*validates\(\s*['\"](password|passwd|pwd)['\"]",
                                                          ctx.code(node.decorator)):
            return True
        elif isinstance(node, cst.Assign) and isinstance(node.value, cst.Call) \
                and any(isinstance(t.target, cst.Name) and t.target.value in _PASSWORD_ATTRS for t in node.targets) \
                and (target_name(node.value.func) or "") in ("synonym", "property", "hybrid_property"):
            return True  # password = db.synonym("_password", descriptor=property(_get, _set_hashing))
    return False


def _project_hashes_on_set(project: Project) -> bool:
    for path in project.files:
        try:
            data = project.read(path)
        except OSError:
            continue
        if b"password" not in data or not _SETTER_HINT.search(data):
            continue
        ctx = project.context_for_path(path)
        if ctx is not None and _file_hashes_on_set(ctx):
            return True
    return False


_HASHING_SETTER = ProjectFact("credentials.hashing_setter", _project_hashes_on_set)


class PlaintextPassword(Rule):
    """What it does: flags passwords stored as typed (``user.password = form.password.data``,
    ``User(password=request.json["password"])``, Django ``User.objects.create(password=...)``,
    an SQL ``INSERT``/``UPDATE`` or a Mongo write of a raw password into a ``password`` column) and
    passwords compared as plain text (``if user.password == password``,
    ``users.get(name) == password``, ``hmac.compare_digest(row["password"], password)``).
    A model whose ``password`` property setter hashes (in the same file) is understood.

    Why is this bad: a database dump, a backup or one SQL injection hands out every user's password,
    and users reuse passwords on other sites. Comparing in plain text means they are stored that way.

    Example:
        if user.password == request.form["password"]:
            login_user(user)

    Use instead:
        if check_password_hash(user.password, request.form["password"]):  # Django: user.check_password(...)
            login_user(user)
    """

    id = "AR503"
    in_tests = False
    name = "plaintext-password"
    title = "Password stored or compared in plain text"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 256
    prefilter = re.compile(r"(?i)passw|pwd|pw\b|_pass\b|passphrase|passcode")

    VALID = [
        'from werkzeug.security import generate_password_hash\nuser.password_hash = generate_password_hash(form.password.data)',
        "def change(request, form):\n    request.user.set_password(form.cleaned_data['password'])",
        "from django.contrib.auth.hashers import check_password\nok = check_password(password, user.password)",
        # Two user inputs: form validation, not a stored password.
        'if new_password != confirm_password:\n    raise ValueError("passwords differ")',
        "if len(user.password) < 8:\n    pass",
        "if user.password is None or user.password == '':\n    pass",
        # The stored value was hashed first.
        "def register(form):\n    password = bcrypt.hashpw(form.password.data.encode(), bcrypt.gensalt())\n"
        "    return User(email=form.email.data, password=password)",
        # A client keeping the credential it must send to another service.
        "class SmtpClient:\n    def __init__(self, host, password):\n        self.password = password",
        "conn = connect(host=h, user=u, password=password)",
        # The model hashes in its property setter.
        "class User(db.Model):\n    @property\n    def password(self):\n        raise AttributeError\n"
        "    @password.setter\n    def password(self, value):\n        self.password_hash = generate_password_hash(value)\n"
        "def register(form):\n    user = User()\n    user.password = form.password.data",
        # A SQLAlchemy synonym whose setter hashes: assigning the raw password stores its hash.
        "class User(db.Model):\n    _password = db.Column('password', db.String(120))\n"
        "    def _set_password(self, value):\n        self._password = generate_password_hash(value)\n"
        "    password = db.synonym('_password', descriptor=property(lambda self: self._password, _set_password))\n"
        "def reset(user, form):\n    user.password = form.new_password.data\n",
        "user.password = None",
        # In-memory stores holding a hash; a request payload built locally; a connection's settings.
        "USERS = {}\ndef register(username, password):\n"
        "    USERS[username] = {'password_hash': generate_password_hash(password)}",
        "def provision(client, rows):\n    users = []\n    for row in rows:\n"
        "        users.append({'username': row['username'], 'password': row['password']})\n"
        "    client.post('/users', json=users)",
        "import os\nDATABASE = {'user': 'app', 'password': os.environ['DB_PASSWORD']}",
        "import redis\nr = redis.Redis()\ndef register(username, password):\n"
        "    r.hset(f'user:{username}', 'password_hash', generate_password_hash(password))",
        "from marshmallow import fields\nFORM = {'username': fields.String(), 'password': fields.String()}",
    ]
    INVALID = [
        Invalid("from flask import request\n"
                "def login(user):\n    if user.password == request.form['password']:\n        return True",
                fixed="from flask import request\n"
                "def login(user):\n    if check_password_hash(user.password, request.form['password']):\n        return True"),
        Invalid("from django.shortcuts import redirect\n"
                "def login(request, user, password):\n    if user.password != password:\n        return redirect('/login')",
                fixed="from django.shortcuts import redirect\n"
                "def login(request, user, password):\n    if not user.check_password(password):\n        return redirect('/login')"),
        # No framework to verify with: reported without a fix.
        Invalid("USERS = {'alice': 'wonderland'}\ndef verify(username, password):\n    return USERS.get(username) == password"),
        Invalid("import hmac\ndef verify(row, password):\n    return hmac.compare_digest(row['password'], password)"),
        Invalid("from flask import request\n"
                "def register():\n    user = User(email=request.form['email'], password=request.form['password'])\n    return user",
                fixed="from flask import request\n"
                "def register():\n    user = User(email=request.form['email'], password=generate_password_hash(request.form['password']))\n    return user"),
        Invalid("from django.contrib.auth.models import User\n"
                "def signup(form):\n    User.objects.create(username=form.cleaned_data['username'], password=form.cleaned_data['password'])",
                fixed="from django.contrib.auth.models import User\n"
                "def signup(form):\n    User.objects.create(username=form.cleaned_data['username'], password=make_password(form.cleaned_data['password']))"),
        Invalid("from django.db import models\n"
                "def reset(user, new_password):\n    user.password = new_password\n    user.save()",
                fixed="from django.db import models\n"
                "def reset(user, new_password):\n    user.set_password(new_password)\n    user.save()"),
        Invalid("def register(form):\n    user = User()\n    user.password = form.password.data\n    return user"),
        Invalid("def add(cur, username, password):\n"
                "    cur.execute('INSERT INTO users (username, password) VALUES (%s, %s)', (username, password))"),
        Invalid("def add(db, email, pwd):\n    db.users.insert_one({'email': email, 'password': pwd})"),
        Invalid("def login(username, password):\n"
                "    return User.query.filter_by(username=username, password=password).first()"),
        Invalid("def login(cur, name, password):\n"
                "    cur.execute('SELECT id FROM users WHERE name = %s AND password = %s', (name, password))"),
        # In-memory and cache stores.
        Invalid("USERS = {}\ndef register(username, password):\n    USERS[username] = {'password': password}",
                confidence=Confidence.MEDIUM),
        Invalid("accounts = {}\ndef reset(username, new_password):\n    accounts[username]['password'] = new_password"),
        Invalid("members = []\ndef join(email, password):\n    members.append({'email': email, 'password': password})"),
        Invalid("import redis\nr = redis.Redis()\ndef register(username, password):\n"
                "    r.hset(f'user:{username}', 'password', password)"),
        Invalid("users = {}\ndef verify(username, password):\n    return users[username]['password'] == password"),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._setter: bool | None = None

    def _hashing_setter(self) -> bool:
        """Whether the project's model hashes on ``user.password = ...``: a property setter, ``@validates``, a
        ``synonym``/``property`` descriptor, ``__setattr__``; in this file or any file of the project (the model
        lives in ``models.py``, the assignment in a view or a service)."""
        if self._setter is None:
            project = self.ctx.project
            self._setter = _file_hashes_on_set(self.ctx) or (project is not None and _HASHING_SETTER.get(project))
        return self._setter

    # --- comparisons ----------------------------------------------------------------------
    def visit_Comparison(self, node: cst.Comparison) -> None:
        if len(node.comparisons) != 1:
            return
        target = node.comparisons[0]
        if not isinstance(target.operator, (cst.Equal, cst.NotEqual)):
            return
        self._compare(node, node.left, target.comparator, negate=isinstance(target.operator, cst.NotEqual))

    def _compare(self, node: cst.CSTNode, left: cst.BaseExpression, right: cst.BaseExpression, negate: bool) -> None:
        ctx = self.ctx
        for stored, given in ((left, right), (right, left)):
            if _stored_password(ctx, stored) and _raw_password(ctx, given) and not _stored_password(ctx, given):
                break
        else:
            return
        in_query = isinstance(self.ctx.stack[-2], cst.Arg) or isinstance(stored, cst.Attribute) \
            and last_name(stored.value)[:1].isupper()
        fix = None if in_query else self._verify_fix(node, stored, given, negate)
        self.report(node, f"{markup.code(ctx.code(stored))} is compared with the password {markup.code(ctx.code(given))} as plain text, so "
                    f"passwords are stored unhashed; store a password hash and verify it{self._note}", fix=fix)

    _note = ""

    def _verify_fix(self, node: cst.CSTNode, stored: cst.BaseExpression, given: cst.BaseExpression,
                    negate: bool) -> Fix | None:
        ctx = self.ctx
        framework = project_framework(ctx)
        self._note = ""
        if framework is None:
            return None
        prefix = "not " if negate else ""
        if framework == "django" and isinstance(stored, cst.Attribute) and stored.attr.value == "password":
            text = f"{prefix}{ctx.code(stored.value)}.check_password({ctx.code(given)})"
            return ctx.replace(node, text, "verify with Django's check_password")
        _, check, module = FRAMEWORK_API[framework]
        self._note = f" with {markup.code(check)}" + import_note(ctx, module, check)
        args = (stored, given) if framework == "werkzeug" else (given, stored)
        return ctx.replace(node, f"{prefix}{check}({ctx.code(args[0])}, {ctx.code(args[1])})", f"verify with {markup.code(check)}")

    # --- storage ---------------------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) != 1:
            return
        target = node.targets[0].target
        if not isinstance(target, (cst.Attribute, cst.Subscript)):
            return
        name = target_name(target)
        if isinstance(target, cst.Subscript) and self._memory_store(node, target, name):
            return
        if name not in ("password", "passwd", "pwd", "plain_password") or not is_userish_base(target.value, self.ctx):
            return
        if not _raw_password(self.ctx, node.value) or self._hashing_setter():
            return
        ctx = self.ctx
        framework = project_framework(ctx)
        fix = None
        if framework == "django" and isinstance(target, cst.Attribute):
            fix = ctx.replace(node, f"{ctx.code(target.value)}.set_password({ctx.code(node.value)})", "hash with set_password")
        elif framework == "werkzeug":
            fix = ctx.replace(node.value, f"generate_password_hash({ctx.code(node.value)})", "hash before storing")
        note = import_note(ctx, "werkzeug.security", "generate_password_hash") if framework == "werkzeug" else ""
        self.report(node, f"the password {markup.code(ctx.code(node.value))} is stored in {markup.code(ctx.code(target))} as plain text; "
                    f"store a password hash{note}", fix=fix,
                    confidence=Confidence.HIGH if framework == "django" else Confidence.MEDIUM)

    # --- in-memory and cache stores ---------------------------------------------------------
    def _memory_store(self, node: cst.Assign, target: cst.Subscript, name: str | None) -> bool:
        """``USERS[name] = password``, ``users[name] = {"password": password}``, ``users[name]["password"] = password``:
        an account table kept in a dict holds the password as typed. Whether the assignment was such a store."""
        ctx = self.ctx
        if _account_entry(ctx, target) and _long_lived(ctx, target.value):
            if _typed_password(ctx, node.value):
                self._report_store(node.value, node.value, ctx.code(target))
            else:
                element = _password_element(ctx, node.value)
                if element is not None:
                    self._report_store(element, element.value, ctx.code(target))
            return True
        entry = target.value
        store = entry.value if isinstance(entry, cst.Subscript) else \
            entry.func.value if isinstance(entry, cst.Call) and isinstance(entry.func, cst.Attribute) else None
        if name in _PASSWORD_KEYS and store is not None and _account_entry(ctx, entry) and _long_lived(ctx, store):
            if _typed_password(ctx, node.value):
                self._report_store(node, node.value, ctx.code(target))
            return True
        return False

    def _collection_write(self, node: cst.Call, method: str) -> None:
        """``users.append({"username": u, "password": p})``, ``USERS.update({u: p})``, ``users.setdefault(u, p)``."""
        ctx = self.ctx
        items: list[cst.BaseExpression] = []
        if method in ("append", "insert", "add"):
            items = [node.args[-1].value] if node.args else []
        elif method == "setdefault" and len(node.args) == 2:
            items = [node.args[1].value]
        elif method == "update" and len(node.args) == 1 and isinstance(node.args[0].value, cst.Dict):
            items = [e.value for e in node.args[0].value.elements if isinstance(e, cst.DictElement)]
        store = ctx.code(node.func.value)  # type: ignore[attr-defined]
        for item in items:
            if method != "append" and _typed_password(ctx, item):
                self._report_store(item, item, store)
                return
            element = _password_element(ctx, item)
            if element is not None:
                self._report_store(element, element.value, store)
                return

    def _redis(self, node: cst.Call, method: str) -> None:
        """``r.hset(f"user:{u}", "password", pw)``, ``r.hset(key, mapping={"password": pw})``,
        ``r.set(f"password:{u}", pw)``: the cache keeps the password as typed."""
        ctx = self.ctx
        receiver = node.func.value  # type: ignore[attr-defined]
        qualified = ctx.qualname(receiver) or ""
        if not (qualified.startswith(_REDIS_MODULES) or _REDIS_NAME.match(last_name(receiver) or "")):
            return
        mapping = ctx.argument(node, "mapping", 1 if method == "hmset" else None)
        element = _password_element(ctx, mapping)
        if element is not None:
            self._report_store(element, element.value, ctx.code(ctx.argument(node, "name", 0) or receiver), "the Redis hash ")
            return
        key_index = _REDIS_WRITES[method]
        if key_index is None:
            return
        key = ctx.argument(node, "key" if key_index == 1 else "name", key_index)
        value = ctx.argument(node, "value", _REDIS_VALUE_INDEX[method])
        if _key_names_password(ctx, key) and _typed_password(ctx, value) and value is not None:
            self._report_store(value, value, ctx.code(ctx.argument(node, "name", 0) or receiver),
                               "the Redis hash " if method.startswith("h") else "the Redis key ")

    def _report_store(self, node: cst.CSTNode, value: cst.BaseExpression, where: str, kind: str = "") -> None:
        ctx = self.ctx
        self.report(node, f"the password {markup.code(ctx.code(value))} is kept in {kind}{markup.code(where)} as plain text: "
                    "whoever reads that store (a dump, a debugger, a cache) has every password, and verifying means "
                    "comparing plain text; store a password hash (argon2id, scrypt, bcrypt)",
                    confidence=Confidence.MEDIUM)

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        name = ctx.qualname(node.func)
        if name in COMPARE_DIGEST and len(node.args) == 2:
            self._compare(node, node.args[0].value, node.args[1].value, negate=False)
            return
        func_code = ctx.code(node.func)
        last = func_code.rsplit(".", 1)[-1]
        root = func_code.split(".", 1)[0]
        if USER_CLASS.match(last) or ".objects." in func_code and last in _DJANGO_WRITES and USER_CLASS.match(root):
            self._keyword_store(node, func_code)
        elif last in ("execute", "executemany") and node.args:
            self._sql(node)
        elif last in _LOOKUPS and isinstance(node.func, cst.Attribute):
            self._lookup(node, func_code)
        elif last in _MONGO_WRITES and isinstance(node.func, cst.Attribute) and self._user_collection(node.func.value):
            self._mongo(node)
        elif last in ("append", "insert", "add", "update", "setdefault") and isinstance(node.func, cst.Attribute) \
                and _user_store(node.func.value) and _long_lived(ctx, node.func.value):
            self._collection_write(node, last)
        elif last in _REDIS_WRITES and isinstance(node.func, cst.Attribute):
            self._redis(node, last)

    def _keyword_store(self, node: cst.Call, func_code: str) -> None:
        ctx = self.ctx
        arg = ctx.keyword(node, "password") or ctx.keyword(node, "passwd")
        if arg is None or not _raw_password(ctx, arg.value) or self._hashing_setter():
            return
        framework = project_framework(ctx)
        fix = None
        note = ""
        if framework:
            make, _, module = FRAMEWORK_API[framework]
            note = import_note(ctx, module, make)
            fix = ctx.replace(arg.value, f"{make}({ctx.code(arg.value)})", f"hash with {markup.code(make)}")
        django_create = ".objects." in func_code
        self.report(arg, f"{markup.code(f'{func_code}(...)')} stores the password {markup.code(ctx.code(arg.value))} as plain text; "
                    + ("use `create_user()`/`set_password()` or " if django_create else "")
                    + f"store a password hash{note}", fix=fix,
                    confidence=Confidence.HIGH if django_create else Confidence.MEDIUM)

    def _lookup(self, node: cst.Call, func_code: str) -> None:
        """``User.query.filter_by(password=pw)``, ``users.find_one({"password": pw})``: matched in plain text."""
        ctx = self.ctx
        if not re.search(r"(?i)user|account|member|customer|admin|login|credential", func_code):
            return
        candidates: list[cst.BaseExpression] = []
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in ("password", "passwd", "pwd"):
                candidates.append(arg.value)
            elif arg.keyword is None and isinstance(arg.value, cst.Dict):
                candidates.extend(e.value for e in arg.value.elements if isinstance(e, cst.DictElement)
                                  and ctx.string(e.key) in ("password", "passwd", "pwd"))
        raw = next((c for c in candidates if _raw_password(ctx, c)), None)
        if raw is not None:
            self.report(node, f"the account is looked up by the plain-text password {markup.code(ctx.code(raw))} in "
                        f"{markup.code(f'{func_code}(...)')}, so passwords are stored unhashed; look the user up by name and "
                        "verify a password hash")

    def _user_collection(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Subscript):
            name = self.ctx.string(node.slice[0].slice.value) if isinstance(node.slice[0].slice, cst.Index) else None
        else:
            name = last_name(node)
        return bool(name and USERISH.match(name) and name not in ("obj", "instance", "current", "found", "entry"))

    def _mongo(self, node: cst.Call) -> None:
        ctx = self.ctx
        for arg in node.args:
            for element in ctx.descendants(arg.value) if not isinstance(arg.value, cst.Dict) else [arg.value, *ctx.descendants(arg.value)]:
                if not isinstance(element, cst.DictElement):
                    continue
                key = ctx.string(element.key)
                if key in ("password", "passwd", "pwd") and _raw_password(ctx, element.value):
                    self.report(element, f"the password {markup.code(ctx.code(element.value))} is written to the {markup.code(key)} field "
                                "as plain text; store a password hash", confidence=Confidence.MEDIUM)
                    return

    def _sql(self, node: cst.Call) -> None:
        ctx = self.ctx
        sql = ctx.string(node.args[0].value)
        if not sql:
            return
        match = _SQL_WRITE.search(sql)
        select = _SQL_WHERE_PASSWORD.search(sql) if not match else None
        if select is not None:
            table, columns = select.group("table"), "password"
        elif match is not None:
            table = match.group("table") or match.group("utable")
            columns = match.group("cols") or match.group("sets") or ""
        else:
            return
        if not USERISH.match(table) or not _PLAIN_COLUMN.search(columns):
            return
        params = node.args[1].value if len(node.args) > 1 else None
        items: list[cst.BaseExpression] = []
        if isinstance(params, (cst.Tuple, cst.List)):
            items = [e.value for e in params.elements]
        elif isinstance(params, cst.Dict):
            items = [e.value for e in params.elements if isinstance(e, cst.DictElement)]
        raw = next((i for i in items if _raw_password(ctx, i)), None)
        if raw is None:
            return
        if select is not None:
            self.report(node, f"{markup.code(table)} is queried with the plain-text password {markup.code(ctx.code(raw))}, so passwords are "
                        "stored unhashed; select the user by name and verify a password hash")
            return
        self.report(node, f"the password {markup.code(ctx.code(raw))} is written to {markup.code(table)} as plain text; hash it before "
                    "the INSERT/UPDATE and store the hash")
