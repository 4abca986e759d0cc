"""AR504 hardcoded-secret: keys, tokens, passwords and connection strings written in the source."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import libcst as cst

from ... import markup
from ...context import FileContext
from ...findings import Confidence, Severity
from ...rule import Invalid, Rule, Valid
from .._common import is_secret_name, target_name
from ._shared import (
    _FIELD_WORDS,
    DSN,
    ENV_CALLS,
    TEMPLATE_VALUE,
    THROTTLE_RATE,
    TOKEN_FORMATS,
    class_field,
    dsn_password,
    env_expr,
    in_test_context,
    is_env_var_name,
    known_token,
    last_name,
    name_parts,
    password_name,
    secret_name,
    settings_class,
    string_node,
    subscript_literal_key,
)

# --- vocabulary: what names hold a password ------------------------------------------

_DEV_PART = frozenset({"dev", "development", "local", "debug", "demo", "example", "sample", "template"})


# --- context: framework, test code, settings classes ---------------------------------------


def _in_dev_context(ctx: FileContext) -> bool:
    path = PurePosixPath(ctx.path)
    if set(name_parts(path.stem)) & _DEV_PART:
        return True
    return any(isinstance(n, (cst.ClassDef, cst.FunctionDef)) and set(name_parts(n.name.value)) & _DEV_PART
               for n in ctx.stack[:-1])


# --- secrets: vocabulary (the part AR505 shares is in _shared.py) ----------------------

_PLACEHOLDER = re.compile(
    r"(?i)^(?:change[-_ .]?me|change[-_ .]?this|replace[-_ .]?me|your[-_ .].*|my[-_ .](?:secret|key|token|password).*|"
    r".*[-_ .]here|todo|tbd|fixme|placeholder|dummy|redacted|example|sample|secret|password|insecure|not[-_ ]?set|"
    r"\w+[-_](?:valid|invalid|fake|dummy|mock|test|testing))"
    r"(?:[-_ .]?(?:key|token|secret))?$"
)
_BORING_VALUES = frozenset({
    "true", "false", "yes", "no", "on", "off", "none", "null", "nil", "undefined", "required", "optional", "hidden",
    "text", "string", "str", "bearer", "basic", "jwt", "hs256", "rs256", "oauth", "oauth2", "header", "query",
    "cookie", "session", "default", "auto", "env", "file", "url", "uri", "int", "integer", "number", "bool",
    "boolean", "list", "dict", "object", "array", "success", "failure", "error", "ok",
})
# A marker stored or compared in a password column (``"LDAP"``, ``"OIDC"``, ``"!"``): an enum-like word in
# capitals names how the account signs in; a secret is not written like one.
_MARKER = re.compile(r"^[A-Z][A-Z0-9]{1,11}$")
_LOCAL_HOST = re.compile(r"^(?:localhost|127\.0\.0\.1|0\.0\.0\.0|db|database|postgres|mysql|redis|rabbitmq|mongo|mongodb|\[::1\])$")
_DB_CONNECT = frozenset({
    "psycopg2.connect", "psycopg.connect", "psycopg.AsyncConnection.connect", "pymysql.connect", "MySQLdb.connect",
    "mysql.connector.connect", "asyncpg.connect", "asyncpg.create_pool", "aiomysql.connect", "aiomysql.create_pool",
    "pymssql.connect", "cx_Oracle.connect", "oracledb.connect", "redis.Redis", "redis.StrictRedis",
    "pymongo.MongoClient", "sqlalchemy.engine.URL.create", "sqlalchemy.engine.url.URL.create", "sqlalchemy.URL.create",
})


# Clients whose credentials are passed by position as well as by keyword: the qualified callee (a method as
# ``<class>().<method>``) -> (keyword, position, environment variable) of each secret parameter. Keywords named
# like secrets (``password=``) are also found by the keyword check; these cover positions and other keyword names.
_CLIENT_SECRETS: dict[str, tuple[tuple[str, int | None, str], ...]] = {}


def _client(names: tuple[str, ...], method: str | None, *secrets: tuple[str, int | None, str]) -> None:
    for name in names:
        _CLIENT_SECRETS[f"{name}().{method}" if method else name] = secrets


_SMTP = ("smtplib.SMTP", "smtplib.SMTP_SSL", "smtplib.LMTP")
_IMAP = ("imaplib.IMAP4", "imaplib.IMAP4_SSL", "imaplib.IMAP4_stream")
_FTP = ("ftplib.FTP", "ftplib.FTP_TLS")
_SSH = ("paramiko.SSHClient", "paramiko.client.SSHClient")
_LDAP = ("ldap.initialize", "ldap.open", "ldap.ldapobject.LDAPObject", "ldap.ldapobject.SimpleLDAPObject",
         "ldap.ldapobject.ReconnectLDAPObject")
_BOTO_SESSION = ("boto3.Session", "boto3.session.Session")
_client(_SMTP, "login", ("password", 1, "SMTP_PASSWORD"))
_client(_IMAP, "login", ("password", 1, "IMAP_PASSWORD"))
_client(("poplib.POP3", "poplib.POP3_SSL"), "pass_", ("pswd", 0, "POP3_PASSWORD"))
_client(_FTP, "login", ("passwd", 1, "FTP_PASSWORD"))
_client(_FTP, None, ("passwd", 2, "FTP_PASSWORD"))
_client(_SSH, "connect", ("password", 3, "SSH_PASSWORD"))
_client(("paramiko.Transport", "paramiko.transport.Transport"), "connect", ("password", 2, "SSH_PASSWORD"))
_client(("paramiko.Transport", "paramiko.transport.Transport"), "auth_password", ("password", 1, "SSH_PASSWORD"))
for _method in ("simple_bind_s", "simple_bind", "bind_s", "bind"):
    _client(_LDAP, _method, ("cred", 1, "LDAP_BIND_PASSWORD"))
_client(("ldap3.Connection", "ldap3.core.connection.Connection"), None, ("password", 2, "LDAP_BIND_PASSWORD"))
_client(("requests.auth.HTTPBasicAuth", "requests.auth.HTTPDigestAuth", "requests.auth.HTTPProxyAuth",
         "httpx.BasicAuth", "httpx.DigestAuth", "aiohttp.BasicAuth", "aiohttp.helpers.BasicAuth"), None,
        ("password", 1, "HTTP_PASSWORD"))
_client(("MySQLdb.connect", "MySQLdb.Connect", "MySQLdb.Connection", "MySQLdb.connections.Connection",
         "pymysql.connect", "pymysql.Connect", "pymysql.connections.Connection"), None,
        ("passwd", 2, "DB_PASSWORD"))
_client(("boto3.client", "boto3.resource"), None,
        ("aws_secret_access_key", 7, "AWS_SECRET_ACCESS_KEY"), ("aws_session_token", 8, "AWS_SESSION_TOKEN"))
for _method in ("client", "resource"):
    _client(_BOTO_SESSION, _method,
            ("aws_secret_access_key", 7, "AWS_SECRET_ACCESS_KEY"), ("aws_session_token", 8, "AWS_SESSION_TOKEN"))
_client(_BOTO_SESSION, None,
        ("aws_secret_access_key", 1, "AWS_SECRET_ACCESS_KEY"), ("aws_session_token", 2, "AWS_SESSION_TOKEN"))
# libpq connection strings: ``psycopg2.connect("dbname=app user=app password=s3cret host=db")``.
_LIBPQ_CONNECT = {"psycopg2.connect": "dsn", "psycopg.connect": "conninfo", "psycopg.Connection.connect": "conninfo",
                  "psycopg.AsyncConnection.connect": "conninfo", "psycopg2.pool.SimpleConnectionPool": "dsn",
                  "psycopg2.pool.ThreadedConnectionPool": "dsn", "psycopg_pool.ConnectionPool": "conninfo"}
_LIBPQ_POSITION = {"psycopg2.pool.SimpleConnectionPool": 2, "psycopg2.pool.ThreadedConnectionPool": 2}
_LIBPQ_PASSWORD = re.compile(r"(?:^|\s)password\s*=\s*(?:'((?:[^'\\]|\\.)*)'|([^\s']+))")
_LIBPQ_HOST = re.compile(r"(?:^|\s)host\s*=\s*'?([^\s']+)")
# Database clients whose ``host=`` tells a local development database (the password is then a compose default).
_DB_CLIENTS = frozenset(_DB_CONNECT | {name for name in _CLIENT_SECRETS if name.startswith(("MySQLdb", "pymysql"))})


def _plausible_secret(value: str, target: str | None, mapping: bool = False) -> bool:
    """Whether a literal could be a working secret (not empty, a template marker, an env var or field name, prose)."""
    stripped = value.strip()
    if not stripped or TEMPLATE_VALUE.match(stripped):
        return False
    if THROTTLE_RATE.match(stripped):  # a throttle rate keyed by an endpoint name: {"password_reset": "5/hour"}
        return False
    if is_env_var_name(stripped) or target and _normal(stripped) == _normal(target):
        return False
    if stripped.lower() in _BORING_VALUES or re.fullmatch(r"\d+(\.\d+)?", stripped) or len(stripped) < 3:
        return False
    if re.fullmatch(r"_*[A-Za-z]+(?:[_-][A-Za-z]+)*", stripped):
        words = set(name_parts(stripped))
        if stripped.startswith("_") or words & _SLUG_VERBS and not _PLACEHOLDER.match(stripped):
            return False  # an internal key or a URL slug: "_auth_user_id", "set-password"
        if mapping and is_secret_name(stripped.replace("-", "_")) or target and _KEY_CONSTANT.search(target) \
                and not _REAL_KEY.search(target) and stripped.lower() == stripped:
            return False  # a field, claim or header name: "password", "X-Api-Key", TOKEN_KEY = "access_token"
    if _MARKER.match(stripped) and not re.search(r"\d", stripped):
        return False  # an enum-like marker: "LDAP", "OIDC", "SSO"
    if target and _names_itself(stripped, target):
        return False  # a constant naming a key or keyword: REQUEST_TOKEN = "request", PK_TOKEN = "token"
    if any(ord(ch) > 127 and ch.isalpha() for ch in stripped):
        return False  # prose in another script: a translated label ("密码"), not a secret
    if "***" in stripped or re.search(r"(?i)x{4,}|\.{3,}", stripped):
        return False  # a mask: ":****"
    if re.search(r"\\[wdsSbWD]|\(\?[:=!<]|\[\^|\][+*?]", stripped):
        return False  # a regular expression
    word = re.fullmatch(r"([A-Za-z]+)[.!]", stripped)
    if word and word.group(1).lower() in _MESSAGE_WORDS:
        return False  # a one-word message: {"password": "Updated."}
    if re.search(r"\s", stripped) and not known_token(stripped) and not _secret_phrase(stripped, target, mapping):
        return False  # prose: "Enter your password", "Invalid token"
    if re.match(r"(?i)^(?:https?|file)://", stripped) and not DSN.match(stripped):
        return False
    if re.match(r"^(?:/|\./|\.\./|~/)|\.(?:pem|key|crt|json|txt|env|p12|pfx|jks)$", stripped):
        return False  # a path to the secret, not the secret
    return True


# The head nouns of a name that holds a secret itself (``SECRET_KEY``, ``app.secret_key``, ``db_password``), not
# something about one (``TOKEN_SCOPES``).
_SECRET_HEADS = frozenset({"key", "secret", "password", "passwd", "pwd", "pass", "passphrase", "token", "credential",
                           "credentials", "apikey"})
# Words of messages, labels and help text ("Enter your password", "Invalid token", "Password reset link sent").
_MESSAGE_WORDS = frozenset({
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "has", "have", "had", "do", "does", "did", "not", "no",
    "to", "of", "in", "on", "for", "with", "from", "by", "at", "as", "and", "or", "if", "when", "this", "that", "it",
    "you", "your", "we", "our", "please", "enter", "type", "provide", "provided", "invalid", "incorrect", "wrong",
    "must", "should", "cannot", "can", "could", "will", "would", "required", "missing", "expired", "match", "matches",
    "characters", "least", "too", "short", "long", "failed", "error", "success", "successfully", "reset", "forgot",
    "forgotten", "change", "changed", "click", "here", "sent", "confirm", "confirmation", "repeat", "again", "field",
    "new", "old", "current", "show", "hide", "login", "log", "sign", "signin", "signup", "username", "email", "user",
    "account", "enabled", "disabled", "set", "update", "updated", "created", "deleted", "generate", "generated",
    "copy", "copied", "revoke", "revoked", "regenerate", "view", "edit", "save", "saved", "cancel", "submit",
})


def _secret_phrase(value: str, target: str | None, mapping: bool) -> bool:
    """A literal with spaces that is still the secret: ``SECRET_KEY = "my secret key"``, ``app.secret_key = "two words
    here"``. The name must hold the secret itself, and the text must not read as a message or a label (sentence
    punctuation, message words, Sentence/Title Case words, more than six words, several lines)."""
    if not target:
        return False
    parts = name_parts(target)
    if not parts or parts[-1] not in _SECRET_HEADS:
        return False
    if "\n" in value or "\t" in value or len(value) > 100 or re.search(r"[.!?:;…,]\s*$|[.!?;,]\s", value):
        return False
    words = re.findall(r"[A-Za-z']+", value)
    if len(value.split()) > 6 or any(w.lower() in _MESSAGE_WORDS for w in words):
        return False
    if re.fullmatch(r"[A-Za-z' ]+", value) and value[:1].isupper():
        return False  # a label: "Secret key", "API Key"
    if all(w.lower() in _FIELD_WORDS for w in words) and not _PLACEHOLDER.match(value):
        return False  # a field or kind named in words: "refresh token", "api key"
    # A mapping's value that spells its key is a label ({"access_token": "access token"}); an assigned name is not
    # described by its own value (``SECRET_KEY = "secret key"`` is the key).
    return not mapping or [w.lower() for w in words] != parts


_LABEL_WORDS = frozenset({"pk", "id", "field", "column", "col", "attr", "name", "kind", "type", "header", "param",
                          "keyword", "label", "key", "prefix", "suffix", "scheme"})


def _names_itself(value: str, target: str) -> bool:
    """An upper-case constant whose lower-case value is one of its own words: not a secret word (``REQUEST_TOKEN =
    "request"``), or its secret word under a label word (``PK_TOKEN = "token"``). ``DB_PASSWORD = "password"``
    is still a (weak) password."""
    if not (target.isupper() and value.islower() and value.isalpha()):
        return False
    words = name_parts(target)
    if len(words) < 2 or value not in words:
        return False
    return not is_secret_name(value) or bool(set(words) & _LABEL_WORDS)


def _normal(name: str) -> str:
    """``X-Auth-Token`` and ``AUTH_TOKEN`` compare equal."""
    text = name.lower().replace("-", "_")
    return re.sub(r"^(?:x_|http_)", "", text)


_SLUG_VERBS = frozenset({"set", "reset", "change", "forgot", "update", "verify", "confirm", "get", "create", "new",
                         "generate", "validate", "check", "login", "logout", "sign", "signin", "signup", "show",
                         "hide", "toggle", "enter", "input", "invalid", "missing", "required", "wrong", "expired"})
_KEY_CONSTANT = re.compile(r"(?i)_(?:key|attr|attribute|kwarg|arg|cookie|claim|slot)$")
_REAL_KEY = re.compile(r"(?i)(?:secret|api|signing|private|access|hmac|jwt|encryption|master|app|client|"
                       r"license|webhook|fernet|crypto)_?key$")


def _is_whole_token(value: str) -> bool:
    """The literal is the token itself, so reading it from the environment replaces it exactly."""
    return any(pattern.fullmatch(value.strip()) for pattern, _, _ in TOKEN_FORMATS)


def _env_name(name: str) -> str:
    """``secret_key`` -> ``SECRET_KEY``; ``X-Api-Key`` -> ``API_KEY``."""
    env = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper().replace("-", "_").strip("_")
    return env.removeprefix("X_") if env.startswith("X_") and len(env) > 2 else env


# ======================================================================================
# AR504 hardcoded-secret
# ======================================================================================


class HardcodedSecret(Rule):
    """What it does: flags secrets written into the code: string literals assigned to secret-named
    names, attributes and config keys (``SECRET_KEY = "..."``, ``app.config["JWT_SECRET_KEY"] = "..."``,
    ``app.secret_key = "..."``, Django ``DATABASES`` ``"PASSWORD"``), secret-named keyword arguments
    and parameter defaults (``client_secret="..."``, ``psycopg2.connect(password="...")``,
    ``boto3.client(aws_secret_access_key="...")``), ``auth=("user", "password")``, comparisons with a
    literal password, DSNs with an inline password (``postgresql://app:s3cret@db/app``) and well-known
    token formats anywhere (AWS ``AKIA...``, GitHub ``ghp_...``, Slack ``xox...``, Stripe
    ``sk_live_...``, private keys). Not flagged: empty strings, template markers (``"<your-key>"``,
    ``"${SECRET}"``, ``"xxx"``), environment variable names, field names, prose, test code and
    test configuration classes, and defaults of environment reads (AR505). ``"changeme"``-style
    values are flagged (medium confidence): they are working values that get deployed, and the
    first thing an attacker tries.

    Why is this bad: everyone with read access to the repository, its forks, CI logs or a leaked
    wheel has the secret; it cannot be rotated without a release, and the same value usually runs
    in every environment. A known Flask/Django ``SECRET_KEY`` lets anyone forge sessions.

    Example:
        app.config["SECRET_KEY"] = "8f42a73054b1749f8f58848be5e6502c"

    Use instead:
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    """

    id = "AR504"
    name = "hardcoded-secret"
    title = "Secret hard-coded in source"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 798
    in_tests = False
    bandit_equivalents = frozenset({"B105", "B106", "B107"})
    prefilter = re.compile(
        # A secret-like name given a string literal (assignment, keyword, dict value, default, comparison)...
        r"(?i)(?:secret|passw|pwd|passphrase|token|api_?key|apikey|access_?key|private|credential|bearer|jwt|hmac|"
        r"session_?key|signing|auth)[\w\]\"']*\s*(?::\s*[^=\n]{1,60})?[=:]=?\s*[rbuf]{0,2}[\"']"
        r"|auth\s*=\s*\(\s*[\"']"
        # ...a known token format anywhere, or a connection string with a password.
        r"|AKIA|ASIA|gh[pousr]_|github_pat_|xox[abposr]-|sk_live|rk_live|AIza|SG\.|sk-|-----BEGIN"
        r"|://[^/\s:@'\"]+:[^@\s'\"]+@"
        # ...or a client that takes its credentials by position (SMTP/IMAP/FTP/POP3 logins, SSH, LDAP binds, HTTP
        # auth objects, database and AWS sessions) or a libpq connection string.
        r"|login\s*\(|pass_\s*\(|bind(?:_s)?\s*\(|auth_password|Auth\s*\(|connect\s*\(|Connect(?:ion)?\s*\(|FTP"
        r"|boto3|password\s*="
    )

    VALID = [
        # DRF throttle rates keyed by endpoint names are not passwords.
        'REST_FRAMEWORK = {"DEFAULT_THROTTLE_RATES": {"password_reset": "5/hour", "token_refresh": "30/min"}}',
        'import os\nSECRET_KEY = os.environ["SECRET_KEY"]',
        'SECRET_KEY = ""',
        'API_KEY = "<your-api-key>"',
        'JWT_SECRET = "${JWT_SECRET}"',
        'AWS_SECRET_ACCESS_KEY = "xxxxxxxx"',
        'SECRET_KEY_ENV = "SECRET_KEY"',
        'password_field = "password"',
        'API_KEY_HEADER = "X-API-Key"',
        'PASSWORD_RESET_TIMEOUT = "3600"',
        'TOKEN_URL = "https://auth.example.com/oauth/token"',
        'errors = {"password": "Enter a password"}',
        'labels = {"password": "Password"}',
        'token_type = "bearer"',
        # The default of an environment read is AR505's finding.
        'import os\nSECRET_KEY = os.getenv("SECRET_KEY", "dev")',
        # Test code and test configuration.
        Valid('SECRET_KEY = "test-secret"\ndef test_login(client):\n    client.post("/login", data={"password": "hunter2"})',
              path="tests/test_auth.py"),
        'class TestingConfig:\n    SECRET_KEY = "not-a-secret"',
        "PRIVATE_KEY_PATH = 'keys/private.pem'",
        'DATABASE_URL = "postgresql://{user}:{password}@{host}/app"',
        'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"',
        'access_token = "access_token"',
        'AUTH_TOKEN = "X-Auth-Token"',
        'TOKEN_KEY = "access_token"',
        'REFRESH_TOKEN_COOKIE = "refresh_token"',
        'SESSION_KEY = "_auth_user_id"',
        'token = r"[-!#$%&*+.^_|~0-9a-zA-Z]+"',
        'password = ":****"',
        'reset_url_token = "set-password"',
        'KEY_SIZES = {"generate_private_key": "DSA"}',
        "if password == '':\n    pass",
        # Messages and labels with spaces; words naming a kind of secret.
        'INVALID_TOKEN = "invalid or expired token"',
        'PASSWORD = "Current password"',
        'REFRESH_TOKEN = "refresh token"',
        'response = {"status": "success", "Password": "Updated."}',
        # Clients given their credentials from the environment, settings or a parameter.
        'import os, smtplib\nwith smtplib.SMTP("mail") as s:\n    s.login(os.environ["SMTP_USER"], os.environ["SMTP_PASSWORD"])',
        'from requests.auth import HTTPBasicAuth\ndef call(password):\n    return HTTPBasicAuth("svc", password)',
        'import psycopg2\nconn = psycopg2.connect("dbname=app user=app host=db.internal")',
        'import ldap\nconn = ldap.initialize("ldap://x")\nconn.simple_bind_s("", "")',
        'from ftplib import FTP\nwith FTP("ftp.example.org") as ftp:\n    ftp.login("anonymous", "guest@example.org")',
    ]
    INVALID = [
        Invalid('import os\nSECRET_KEY = "8f42a73054b1749f8f58848be5e6502c"',
                fixed='import os\nSECRET_KEY = os.environ["SECRET_KEY"]'),
        Invalid('app.config["JWT_SECRET_KEY"] = "super-secret"',
                fixed='app.config["JWT_SECRET_KEY"] = os.environ["JWT_SECRET_KEY"]'),
        Invalid('import os\napp.secret_key = b"\\x8a\\x01dev"',
                fixed='import os\napp.secret_key = os.environ["SECRET_KEY"].encode()'),
        Invalid(
            "import os\nimport psycopg2\nconn = psycopg2.connect(\n    host=\"db\",\n    user=\"app\",\n    password=\"hunter22\",\n)",
            fixed="import os\nimport psycopg2\nconn = psycopg2.connect(\n    host=\"db\",\n    user=\"app\",\n    password=os.environ[\"DB_PASSWORD\"],\n)",
        ),
        Invalid('import boto3\ns3 = boto3.client("s3", aws_secret_access_key="wJalrXUtnFEMIK7MDENGbPxRfiCY")',
                fixed='import boto3\ns3 = boto3.client("s3", aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"])'),
        Invalid('import os\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "PASSWORD": "s3cr3t!"}}',
                fixed='import os\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "PASSWORD": os.environ["DB_PASSWORD"]}}'),
        Invalid('import os\nSQLALCHEMY_DATABASE_URI = "postgresql://app:Tr0ub4dor@db.internal/app"',
                fixed='import os\nSQLALCHEMY_DATABASE_URI = os.environ["SQLALCHEMY_DATABASE_URI"]'),
        # A made-up token in the shape GitHub issues, planted for this example.
        Invalid('from github import Github\ngh = Github("ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5b")',  # auth-review: ignore[AR504]
                fixed='from github import Github\ngh = Github(os.environ["GITHUB_TOKEN"])'),
        Invalid('def connect(host, password="hunter22"):\n    pass'),
        Invalid("import os\ndef check(password):\n    return password == 'letmein'",
                fixed="import os\ndef check(password):\n    return password == os.environ['PASSWORD']"),
        Invalid('import os\nimport requests\nr = requests.get(url, auth=("admin", "s3cret-pw"))',
                fixed='import os\nimport requests\nr = requests.get(url, auth=("admin", os.environ["PASSWORD"]))'),
        Invalid('SECRET_KEY = "change-me"', fixed='SECRET_KEY = os.environ["SECRET_KEY"]'),
        Invalid('JWT_SECRET = "secret"', fixed='JWT_SECRET = os.environ["JWT_SECRET"]'),
        Invalid('class Settings:\n    api_key: str = "a1b2c3d4e5f6"', fixed='class Settings:\n    api_key: str = os.environ["API_KEY"]'),
        # A phrase is a secret too.
        Invalid('import os\nSECRET_KEY = "correct horse battery staple"',
                fixed='import os\nSECRET_KEY = os.environ["SECRET_KEY"]'),
        # Credentials passed by position to well-known clients, receivers resolved through imports and ``with``.
        Invalid('import os\nfrom smtplib import SMTP as S\nwith S("mail.example.com") as server:\n'
                '    server.login("reports", "m4il-Pa55")',
                fixed='import os\nfrom smtplib import SMTP as S\nwith S("mail.example.com") as server:\n'
                '    server.login("reports", os.environ["SMTP_PASSWORD"])'),
        Invalid('import os, ldap\nconn = ldap.initialize("ldaps://ldap.example.com")\n'
                'conn.simple_bind_s("cn=admin,dc=example,dc=com", "ld4p-bind")',
                fixed='import os, ldap\nconn = ldap.initialize("ldaps://ldap.example.com")\n'
                'conn.simple_bind_s("cn=admin,dc=example,dc=com", os.environ["LDAP_BIND_PASSWORD"])'),
        Invalid('import os\nfrom requests.auth import HTTPBasicAuth\nauth = HTTPBasicAuth("svc", "s3rvice-pw")',
                fixed='import os\nfrom requests.auth import HTTPBasicAuth\nauth = HTTPBasicAuth("svc", os.environ["HTTP_PASSWORD"])'),
        Invalid('import os, psycopg2\nconn = psycopg2.connect("dbname=app user=app password=Pg-s3cret host=db.internal")',
                fixed='import os, psycopg2\nconn = psycopg2.connect(os.environ["DATABASE_DSN"])'),
        Invalid('import os, MySQLdb\nconn = MySQLdb.connect("localhost", "root", "r00t-pw", "app")',
                fixed='import os, MySQLdb\nconn = MySQLdb.connect("localhost", "root", os.environ["DB_PASSWORD"], "app")',
                path="app/db.py", confidence=Confidence.MEDIUM),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._done: set[int] = set()
        self._label_tables: set[int] = set()  # ids of the mappings with prose keys, judged once each

    # --- named destinations -------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._named(target_name(target.target), node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        cls = class_field(self.ctx)
        if cls is not None and settings_class(self.ctx, cls):
            return  # a settings default: AR505
        self._named(target_name(node.target), node.value)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is None:
            return
        call = self.ctx.stack[-2] if len(self.ctx.stack) > 1 else None
        if isinstance(call, cst.Call):
            callee = self.ctx.qualname(call.func)
            if callee in ENV_CALLS or (callee or "").startswith(("environ.Env", "environs.Env")):
                return  # env reads and django-environ schemas: AR505
            if node.keyword.value == "auth" and isinstance(node.value, cst.Tuple) and len(node.value.elements) == 2:
                self._named("password", node.value.elements[1].value)
                return
        name = node.keyword.value
        if name in ("password", "passwd", "pwd") and isinstance(call, cst.Call) \
                and self.ctx.qualname(call.func) in _DB_CONNECT:
            name = "DB_" + name.upper().replace("PASSWD", "PASSWORD").replace("PWD", "PASSWORD")
        self._named(name, node.value, mapping=True)

    # --- credentials passed to well-known clients --------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        name = self._callee(node)
        if name is None:
            return
        if name in _LIBPQ_CONNECT:
            self._libpq(node, name)
            return
        secrets = _CLIENT_SECRETS.get(name)
        if secrets is None:
            return
        if any((ctx.string(arg.value) or "").lower() == "anonymous" for arg in node.args):
            return  # an anonymous FTP/LDAP login: its "password" is a convention (an e-mail address), not a secret
        local = name in _DB_CLIENTS and self._local_host(node, name)
        for keyword, position, env in secrets:
            value = ctx.argument(node, keyword, position)
            if isinstance(value, cst.Name):
                value = ctx.value_of(value)  # ``pw = "..."`` then ``server.login(user, pw)``
            if value is not None and string_node(value):
                self._named(env, value, local=local, passed_to=f"{ctx.code(node.func)}(...)")

    def _callee(self, node: cst.Call) -> str | None:
        """The qualified callee, methods named after the class that built their receiver: ``server.login`` after
        ``with smtplib.SMTP(host) as server`` or ``self.server = SMTP(host)`` is ``smtplib.SMTP().login``."""
        ctx = self.ctx
        name = ctx.qualname(node.func)
        if name in _CLIENT_SECRETS or name in _LIBPQ_CONNECT or not isinstance(node.func, cst.Attribute) \
                or node.func.attr.value not in _CLIENT_METHODS:
            return name  # (finding the receiver's constructor walks the class: only for a client's methods)
        built = _constructor(ctx, node.func.value)
        return f"{built}().{node.func.attr.value}" if built else name

    def _local_host(self, node: cst.Call, name: str) -> bool:
        host = self.ctx.string(self.ctx.argument(node, "host", 0 if name.startswith("MySQLdb") else None))
        return bool(host and _LOCAL_HOST.match(host))

    def _libpq(self, node: cst.Call, name: str) -> None:
        """``psycopg2.connect("dbname=app user=app password=s3cret")``: a key/value connection string."""
        ctx = self.ctx
        value = ctx.argument(node, _LIBPQ_CONNECT[name], _LIBPQ_POSITION.get(name, 0))
        if isinstance(value, cst.Name):
            value = ctx.value_of(value)
        text = ctx.string(value) if string_node(value) else None
        if value is None or text is None or id(value) in self._done or "://" in text or self._excluded():
            return
        match = _LIBPQ_PASSWORD.search(text)
        password = match and (match.group(1) if match.group(1) is not None else match.group(2))
        if not password or "=" in password or not _plausible_secret(password, "DB_PASSWORD"):
            return
        self._done.add(id(value))
        host = _LIBPQ_HOST.search(text)
        local = host is None or bool(_LOCAL_HOST.match(host.group(1)))
        self._report_literal(value, "DATABASE_DSN", f"the connection string carries the password "
                             f"{markup.code(password[:2] + '…')} inline", True,
                             Confidence.MEDIUM if local or _in_dev_context(ctx) else Confidence.HIGH)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        key = self.ctx.string(node.key)
        if key is None or self._label_table():
            return
        if key.lower() == "authorization":
            value = self.ctx.string(node.value) if string_node(node.value) else None
            if value and re.match(r"(?i)^(bearer|basic|token)\s+\S{8,}$", value):
                self._named("AUTHORIZATION", node.value, force=True)
            return
        if key == "PASSWORD" and any(isinstance(n, cst.Assign) and _assign_name(n) == "DATABASES" for n in self.ctx.stack):
            key = "DB_PASSWORD"
        self._named(key, node.value, mapping=True)

    def visit_Param(self, node: cst.Param) -> None:
        if node.default is not None and string_node(node.default):
            self._named(node.name.value, node.default, fixable=False)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        if len(node.comparisons) != 1 or not isinstance(node.comparisons[0].operator, (cst.Equal, cst.NotEqual)):
            return
        left, right = node.left, node.comparisons[0].comparator
        for named, literal in ((left, right), (right, left)):
            if string_node(literal) and not string_node(named):
                name = _compared_name(self.ctx, named)
                if name and password_name(name):
                    self._named(name, literal)
                return

    def visit_Dict(self, node: cst.Dict) -> None:
        """A mapping with prose keys ("Current password": "...") is a table of labels or translations, whose values
        are text for people, not settings."""
        keys = (self.ctx.string(e.key) for e in node.elements if isinstance(e, cst.DictElement))
        if any(k is not None and re.search(r"\s", k.strip()) for k in keys):
            self._label_tables.add(id(node))

    def _label_table(self) -> bool:
        mapping = self.ctx.stack[-2] if len(self.ctx.stack) > 1 else None
        return id(mapping) in self._label_tables

    def _named(self, name: str | None, value: cst.BaseExpression | None, *, fixable: bool = True,
               force: bool = False, mapping: bool = False, local: bool = False, passed_to: str | None = None) -> None:
        ctx = self.ctx
        if not string_node(value) or id(value) in self._done or not (force or secret_name(name)):
            return
        if isinstance(value, cst.SimpleString) and "r" in value.prefix.lower():
            return  # raw strings hold patterns and paths
        if value is None or name is None:
            return
        text = ctx.string(value) if isinstance(value, cst.SimpleString) or isinstance(value, cst.ConcatenatedString) else None
        if text is None:
            raw = ctx.literal(value)
            text = raw.decode("latin-1") if isinstance(raw, bytes) else None
        if text is None or (not force and not _plausible_secret(text, name, mapping)) or self._excluded():
            return
        self._done.add(id(value))
        confidence = Confidence.HIGH
        placeholder = bool(_PLACEHOLDER.match(text.strip()))
        if placeholder:
            if _example_file(ctx.path):
                return
            confidence = Confidence.MEDIUM
        if _example_app(ctx.path) or local:
            confidence = Confidence.MEDIUM  # a demo app's documented login; a local database's compose default
        if _in_dev_context(ctx):
            confidence = Confidence.LOW
        env = _env_name(name)
        token = known_token(text)
        kind = f" ({token[0]})" if token else ""
        what = f"{markup.code(name)} is set to a literal" if passed_to is None else \
            f"{markup.code(passed_to)} is given a literal"
        self._report_literal(value, env, what + (" placeholder" if placeholder else "") + f" secret{kind}", fixable,
                             confidence)

    def _report_literal(self, value: cst.BaseExpression, env: str, what: str, fixable: bool,
                        confidence: Confidence) -> None:
        ctx = self.ctx
        fix, note = None, ""
        if fixable:
            is_bytes = isinstance(value, cst.SimpleString) and "b" in value.prefix.lower()
            quote = "'" if isinstance(value, cst.SimpleString) and value.quote.startswith("'") else '"'
            expr, note = env_expr(ctx, env, quote)
            fix = ctx.replace(value, expr + (".encode()" if is_bytes else ""), f"read {env} from the environment")
        self.report(value, f"{what}: anyone with the code has it and it cannot be rotated without a release; "
                    f"read it from the environment ({markup.code(env)}){note}", fix=fix, confidence=confidence)

    def _excluded(self) -> bool:
        ctx = self.ctx
        return in_test_context(ctx)

    # --- literal formats anywhere -----------------------------------------------------------
    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        ctx = self.ctx
        if id(node) in self._done:
            return
        parent = ctx.stack[-2] if len(ctx.stack) > 1 else None
        if isinstance(parent, cst.Expr) or self._env_default(node):
            return
        value = ctx.string(node)
        if not value:
            return
        token = known_token(value)
        password = None if token else dsn_password(value)
        if token is None and password is None or self._excluded():
            return
        self._done.add(id(node))
        name = self._context_name()
        if token is not None:
            what, env = token
            # A token inside a larger string (a URL, a script) is still a leak, but has no one-line fix.
            self._report_literal(node, _env_name(name) if name and secret_name(name) else env,
                                 f"{what} is written in the code", _is_whole_token(value), Confidence.HIGH)
            return
        host = DSN.match(value.strip()).group("host")  # type: ignore[union-attr]
        env = _env_name(name) if name and re.search(r"(?i)url|uri|dsn|database|broker|backend|redis|mongo", name) \
            else "DATABASE_URL"
        self._report_literal(node, env, f"the connection string carries the password {markup.code(f'{password[:2]}…')} inline",
                             True, Confidence.MEDIUM if _LOCAL_HOST.match(host) else Confidence.HIGH)

    def _context_name(self) -> str | None:
        stack = self.ctx.stack
        parent = stack[-2] if len(stack) > 1 else None
        if isinstance(parent, cst.Assign):
            return target_name(parent.targets[0].target)
        if isinstance(parent, cst.AnnAssign):
            return target_name(parent.target)
        if isinstance(parent, cst.Arg) and parent.keyword is not None:
            return parent.keyword.value
        if isinstance(parent, cst.DictElement):
            return self.ctx.string(parent.key)
        return None

    def _env_default(self, node: cst.CSTNode) -> bool:
        """Whether ``node`` is the default of an environment read or a settings field (AR505's finding)."""
        stack = self.ctx.stack
        if isinstance(stack[-2], cst.AnnAssign) or isinstance(stack[-2], cst.Arg) and isinstance(stack[-4], cst.AnnAssign):
            cls = class_field(self.ctx)
            if cls is not None and settings_class(self.ctx, cls):
                return True
        for ancestor in reversed(stack[:-1][-3:]):
            if isinstance(ancestor, cst.Call):
                name = self.ctx.qualname(ancestor.func) or ""
                return name in ENV_CALLS or name.startswith(("environ.Env", "environs.Env"))
        return False


# The methods of client objects that take a credential (``login`` of ``smtplib.SMTP()``...).
_CLIENT_METHODS = frozenset(key.rpartition(".")[2] for key in _CLIENT_SECRETS if "()." in key)


def _constructor(ctx: FileContext, receiver: cst.BaseExpression) -> str | None:
    """The class (or factory) that built ``receiver``: ``smtplib.SMTP`` for ``server`` after ``server = SMTP(host)``,
    ``with SMTP(host) as server`` or, in a class, ``self.server = SMTP(host)``."""
    name = ctx.qualname(receiver)
    if name and name.endswith("()"):
        return name[:-2]
    if isinstance(receiver, cst.Name):
        for node in reversed(ctx.stack):
            if isinstance(node, (cst.With)):
                for item in node.items:
                    if item.asname is not None and isinstance(item.asname.name, cst.Name) \
                            and item.asname.name.value == receiver.value:
                        built = ctx.qualname(item.item)
                        return built[:-2] if built and built.endswith("()") else None
            if isinstance(node, cst.FunctionDef):
                break
        return None
    if isinstance(receiver, cst.Attribute) and isinstance(receiver.value, cst.Name) and receiver.value.value == "self":
        cls = ctx.enclosing(cst.ClassDef)
        if not isinstance(cls, cst.ClassDef):
            return None
        built_by = set()
        for node in ctx.descendants(cls):
            if isinstance(node, cst.Assign) and isinstance(node.value, cst.Call) and any(
                    isinstance(t.target, cst.Attribute) and t.target.attr.value == receiver.attr.value
                    and isinstance(t.target.value, cst.Name) and t.target.value.value == "self" for t in node.targets):
                built_by.add(ctx.qualname(node.value.func))
        return built_by.pop() if len(built_by) == 1 else None
    return None


def _assign_name(node: cst.Assign) -> str | None:
    return target_name(node.targets[0].target) if len(node.targets) == 1 else None


def _compared_name(ctx: FileContext, node: cst.CSTNode) -> str | None:
    if isinstance(node, (cst.Name, cst.Attribute)):
        return last_name(node)
    if isinstance(node, cst.Subscript):
        key = subscript_literal_key(ctx, node)
        return key if isinstance(key, str) else None
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get" and node.args:
        return ctx.string(node.args[0].value)
    return None


def _example_app(path: str) -> bool:
    """A file of an example or demo application shipped beside the product (``example/tables.py``)."""
    folders = {part.lower() for part in PurePosixPath(path).parts[:-1]}
    return bool(folders & {"example", "examples", "demo", "demos", "sample", "samples"})


def _example_file(path: str) -> bool:
    """``settings.example.py``, ``config_sample.py``: templates whose values are meant to be replaced."""
    parts = re.split(r"[._-]", PurePosixPath(path).stem.lower())
    return len(parts) > 1 and bool(set(parts) & {"example", "sample", "template", "dist", "tmpl"})
