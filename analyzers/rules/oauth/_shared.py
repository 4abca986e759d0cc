"""What several AR4xx (OAuth) rules use: string and parameter helpers, a handler's local values, URLs built from pieces,
and the authorization requests written by hand that AR403 and AR404 both check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from ... import markup
from ...context import FileContext, FileFact
from ...rule import Rule
from ...walk import walk
from .._common import own_nodes, target_name

# --- shared helpers ---------------------------------------------------------------


def is_docstring(rule: Rule) -> bool:
    """Whether the string being visited is a bare expression statement (docstring, comment-like)."""
    stack = rule.ctx.stack
    return len(stack) >= 2 and isinstance(stack[-2], cst.Expr)


def inside_concatenation(rule: Rule) -> bool:
    stack = rule.ctx.stack
    return len(stack) >= 2 and isinstance(stack[-2], (cst.ConcatenatedString, cst.FormattedString))


def static_text(node: cst.BaseExpression) -> str | None:
    """The literal text of a string, f-string or implicit concatenation (fields as ``{}``)."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.FormattedString):
        parts = []
        for part in node.parts:
            parts.append(part.value if isinstance(part, cst.FormattedStringText) else "{}")
        return "".join(parts)
    if isinstance(node, cst.ConcatenatedString):
        left, right = static_text(node.left), static_text(node.right)
        return None if left is None or right is None else left + right
    return None


def string_kwarg_or_key(rule: Rule, name: str) -> Iterator[tuple[cst.BaseExpression, str]]:
    """Values given to ``name`` as a keyword argument, dict key or subscript assignment at this node."""
    ctx = rule.ctx
    node = ctx.stack[-1]
    if isinstance(node, cst.Call):
        arg = ctx.keyword(node, name)
        if arg is not None:
            value = ctx.string(arg.value)
            if value is not None:
                yield arg.value, value
    elif isinstance(node, cst.Dict):
        for element in node.elements:
            if isinstance(element, cst.DictElement) and ctx.string(element.key) == name:
                value = ctx.string(element.value)
                if value is not None:
                    yield element.value, value
    elif isinstance(node, cst.Assign):
        for target in node.targets:
            if isinstance(target.target, cst.Subscript) and target_name(target.target) == name:
                value = ctx.string(node.value)
                if value is not None:
                    yield node.value, value


# --- handler helpers (AR403, AR405) ---------------------------------------------------


def local_values(function: cst.FunctionDef) -> dict[str, list[cst.BaseExpression]]:
    """Every value assigned to each local name in ``function`` (loop targets get the iterable)."""
    values: dict[str, list[cst.BaseExpression]] = {}

    def bind(target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            values.setdefault(target.value, []).append(value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                inner = element.value.value if isinstance(element.value, cst.StarredElement) else element.value
                bind(inner, value)

    for node in own_nodes(function):
        if isinstance(node, cst.Assign):
            for target in node.targets:
                bind(target.target, node.value)
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.NamedExpr)) and node.value is not None:
            bind(node.target, node.value)
        elif isinstance(node, (cst.For, cst.CompFor)):
            bind(node.target, node.iter)
        elif isinstance(node, cst.WithItem) and node.asname is not None:
            bind(node.asname.name, node.item)
    return values


# --- URLs built from strings (AR403, AR404, AR405) ------------------------------------


def url_pieces(ctx: FileContext, expr: cst.BaseExpression) -> list[str | cst.BaseExpression] | None:
    """A URL built from strings, as literal text and interpolated expressions in order; None if not built."""
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return [value] if isinstance(value, str) else None
    if isinstance(expr, cst.ConcatenatedString):
        left, right = url_pieces(ctx, expr.left), url_pieces(ctx, expr.right)
        return None if left is None or right is None else left + right
    if isinstance(expr, cst.FormattedString):
        return [p.value if isinstance(p, cst.FormattedStringText) else p.expression for p in expr.parts]
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        left = url_pieces(ctx, expr.left) or [expr.left]
        right = url_pieces(ctx, expr.right) or [expr.right]
        return left + right
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo):
        template = ctx.string(expr.left)
        if template is None:
            return None
        values = [e.value for e in expr.right.elements] if isinstance(expr.right, cst.Tuple) else [expr.right]
        pieces: list[str | cst.BaseExpression] = []
        for index, text in enumerate(re.split(r"%[-#0 +]*\d*(?:\.\d+)?[sdrif]", template)):
            if index:
                if index - 1 >= len(values):
                    return None
                pieces.append(values[index - 1])
            pieces.append(text)
        return pieces
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "format":
        template = ctx.string(expr.func.value)
        if template is None:
            return None
        positional = [a.value for a in expr.args if a.keyword is None and not a.star]
        pieces = []
        auto = 0
        for match in re.finditer(r"\{([^{}]*)\}|([^{}]+|\{\{|\}\})", template):
            if match.group(2) is not None:
                pieces.append(match.group(2).replace("{{", "{").replace("}}", "}"))
                continue
            field_name = re.split(r"[.\[!:]", match.group(1), maxsplit=1)[0]
            if field_name == "":
                field_name, auto = str(auto), auto + 1
            if field_name.isdigit():
                if int(field_name) >= len(positional):
                    return None
                pieces.append(positional[int(field_name)])
            else:
                value = ctx.argument(expr, field_name)
                if value is None:
                    return None
                pieces.append(value)
        return pieces
    return None


# --- authorization requests (AR403, AR404) --------------------------------------------

# Parameters of a token request, never of an authorization request.
_TOKEN_REQUEST_KEYS = frozenset({"grant_type", "code", "client_secret", "refresh_token", "code_verifier", "username",
                                 "password", "assertion", "device_code", "token", "subject_token"})
_URL_BUILDERS = frozenset({"urlencode", "add_params_to_uri", "url_concat", "include_query_params",
                           "replace_query_params", "add_query_params", "set_query_params", "add_url_params"})
_OAUTH_CLIENT_LIBRARIES = ("requests_oauthlib", "authlib", "oauthlib", "google_auth_oauthlib", "httpx_oauth")
_RESPONSE_TYPE_IN_URL = re.compile(r"(?:^|[?&#])response_type=(?P<value>[^&#\s]*)")


def response_types(value: str) -> list[str]:
    return [v for v in re.split(r"\+|%20|\s+", value) if v]


@dataclass
class AuthRequest:
    """An authorization request built by hand: a parameter dict or a URL string."""

    node: cst.BaseExpression
    params: dict[str, cst.BaseExpression | None]  # parameter -> value node (None: written in a URL)
    explicit: bool  # ``response_type`` says ``code`` (else: implied by client_id + redirect_uri in a URL)
    open_ended: bool = False  # parameters may be added where we cannot see them

    def has(self, ctx: FileContext, name: str) -> bool:
        return self.open_ended or name in self.params or _scope_has_text(ctx, f"{name}=")


def _scope_of(ctx: FileContext) -> cst.CSTNode:
    return ctx.enclosing_function() or ctx.module


def _scope_has_text(ctx: FileContext, text: str) -> bool:
    """Whether a string literal of the current function (or module) holds ``text`` (``"&state="``)."""
    scope = _scope_of(ctx)
    by_scope = _SCOPE_STRINGS.get(ctx)
    strings = by_scope.get(id(scope))
    if strings is None:
        parts = []
        for node in walk(scope):
            if isinstance(node, cst.SimpleString):
                value = node.evaluated_value
                parts.append(value if isinstance(value, str) else "")
            elif isinstance(node, cst.FormattedStringText):
                parts.append(node.value)
        strings = by_scope[id(scope)] = "\n".join(parts)
    return text in strings


# The text of a function's (or the module's) string literals, one per line, by id(function or module).
_SCOPE_STRINGS: FileFact[dict[int, str]] = FileFact("oauth.strings", lambda _ctx: {})


def _dict_request(ctx: FileContext, node: cst.Dict) -> AuthRequest | None:
    """The dict being visited, if it holds the parameters of an authorization-code request."""
    params: dict[str, cst.BaseExpression | None] = {}
    for element in node.elements:
        if not isinstance(element, cst.DictElement):
            return None  # ``**base``: parameters we cannot see
        key = ctx.string(element.key)
        if key is None:
            return None
        params[key] = element.value
    if "client_id" not in params or params.keys() & _TOKEN_REQUEST_KEYS:
        return None
    if any(k.endswith(("_url", "_uri", "_endpoint")) and k != "redirect_uri" for k in params):
        return None  # client configuration (authorize_url, token_url...), not request parameters
    response_type = params.get("response_type")
    explicit = response_type is not None
    if explicit:
        value = ctx.string(response_type)
        if value is None or "code" not in response_types(value):
            return None
    elif "redirect_uri" not in params or not _in_url_context(ctx, node):
        return None
    added, open_ended = _added_parameters(ctx, node)
    for key in added:
        params.setdefault(key, None)
    return AuthRequest(node, params, explicit, open_ended)


def _binding_name(ctx: FileContext) -> str | None:
    """The local the node being visited is assigned to (``params = {...}``), if any."""
    stack = ctx.stack
    if len(stack) >= 2:
        parent = stack[-2]
        if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name):
            return parent.targets[0].target.value
        if isinstance(parent, cst.AnnAssign) and isinstance(parent.target, cst.Name):
            return parent.target.value
    return None


def _in_url_context(ctx: FileContext, node: cst.Dict) -> bool:
    """``urlencode({...})``, ``requests.get(url, params={...})``, or a local later used so."""
    stack = ctx.stack
    if len(stack) >= 3 and isinstance(stack[-2], cst.Arg) and isinstance(stack[-3], cst.Call):
        return _url_use(stack[-3], stack[-2])
    name = _binding_name(ctx)
    if name is None:
        return False
    for use in walk(_scope_of(ctx)):
        if isinstance(use, cst.Call):
            for arg in use.args:
                if isinstance(arg.value, cst.Name) and arg.value.value == name and _url_use(use, arg):
                    return True
    return False


def _url_use(call: cst.Call, arg: cst.Arg) -> bool:
    tail = call.func.attr.value if isinstance(call.func, cst.Attribute) else \
        call.func.value if isinstance(call.func, cst.Name) else ""
    return tail in _URL_BUILDERS or (arg.keyword is not None and arg.keyword.value in ("params", "query"))


def _added_parameters(ctx: FileContext, node: cst.Dict) -> tuple[set[str], bool]:
    """Keys added later to the local the dict is bound to, and whether some additions are unknown."""
    name = _binding_name(ctx)
    if name is None:
        return set(), False
    added: set[str] = set()
    open_ended = False

    def is_it(expr: cst.BaseExpression) -> bool:
        return isinstance(expr, cst.Name) and expr.value == name

    for use in walk(_scope_of(ctx)):
        if isinstance(use, cst.Assign):
            for target in use.targets:
                if isinstance(target.target, cst.Subscript) and is_it(target.target.value):
                    key = target_name(target.target)
                    added.add(key) if key else None
                    open_ended = open_ended or key is None
        elif isinstance(use, cst.AugAssign) and is_it(use.target):
            open_ended = True
        elif isinstance(use, cst.Call) and isinstance(use.func, cst.Attribute) and is_it(use.func.value) and \
                use.func.attr.value in ("update", "setdefault", "__setitem__"):
            for arg in use.args:
                if arg.keyword is not None:
                    added.add(arg.keyword.value)
                elif isinstance(arg.value, cst.Dict) and all(isinstance(e, cst.DictElement) for e in arg.value.elements):
                    added |= {ctx.string(e.key) or "" for e in arg.value.elements}
                elif ctx.string(arg.value) is not None and use.func.attr.value != "update":
                    added.add(ctx.string(arg.value) or "")
                    break
                else:
                    open_ended = True
        elif isinstance(use, cst.Dict) and use is not node and any(
                isinstance(e, cst.StarredDictElement) and is_it(e.value) for e in use.elements):
            added |= {ctx.string(e.key) or "" for e in use.elements if isinstance(e, cst.DictElement)}
        elif isinstance(use, cst.Call) and isinstance(use.func, cst.Name) and use.func.value == "dict" and \
                any(is_it(a.value) for a in use.args):
            added |= {a.keyword.value for a in use.args if a.keyword is not None}
    return added, open_ended


def _is_top_string(ctx: FileContext) -> bool:
    """The node being visited is a whole string expression, not a piece of a larger one."""
    stack = ctx.stack
    if len(stack) < 2:
        return True
    parent, node = stack[-2], stack[-1]
    if isinstance(parent, (cst.ConcatenatedString, cst.FormattedString)):
        return False
    if isinstance(parent, cst.BinaryOperation):
        if isinstance(parent.operator, cst.Add) or (isinstance(parent.operator, cst.Modulo) and parent.left is node):
            return False
    if isinstance(parent, cst.Attribute) and parent.attr.value == "format" and parent.value is node:
        return False
    return not isinstance(parent, cst.Expr)  # a docstring or a bare string statement


def _url_request(ctx: FileContext, node: cst.BaseExpression) -> AuthRequest | None:
    """The URL being visited, if it is an authorization-code request written out (``...?response_type=code&...``)."""
    if not _is_top_string(ctx):
        return None
    pieces = url_pieces(ctx, node)
    if pieces is None:
        return None
    text = "".join(p if isinstance(p, str) else "{}" for p in pieces)
    match = _RESPONSE_TYPE_IN_URL.search(text)
    if match is None or "code" not in response_types(match.group("value")) or "client_id=" not in text:
        return None
    if re.search(r"\s", text) or re.search(r"[?&]\{\}", text):
        return None  # prose, or parameters added from a variable we cannot read
    params = {m.group(1): None for m in re.finditer(r"(?:^|[?&#])([\w.\-]+)=", text)}
    return AuthRequest(node, params, explicit=True)


def oauth_library_call(ctx: FileContext, call: cst.Call) -> str:
    """The import-resolved name of an OAuth client library call, or ``?.<method>`` when the file uses such a
    library and the receiver cannot be resolved; "" otherwise."""
    name = ctx.qualname(call.func) or ""
    if name.startswith(_OAUTH_CLIENT_LIBRARIES):
        return name
    if isinstance(call.func, cst.Attribute) and any(q.startswith(_OAUTH_CLIENT_LIBRARIES)
                                                    for q in ctx.index.imports.values()):
        return f"?.{call.func.attr.value}"
    return ""


def in_function(ctx: FileContext) -> str:
    """Where the node being visited stands, for messages: `` in `login()` `` in a function, "" at module level."""
    where = ctx.enclosing_function()
    return f" in {markup.code(f'{where.name.value}()')}" if where is not None else ""


class AuthorizationRequestRule(Rule):
    """What AR403 and AR404 share (no ``id``: not a rule itself): authorization requests built by hand, as
    a parameter dict or a URL (a string, ``+``/``%`` or ``.format``), are handed to ``_check_request``;
    other calls to ``_check_call``."""

    def _check_request(self, request: AuthRequest) -> None:
        raise NotImplementedError

    def _check_call(self, node: cst.Call) -> None:
        raise NotImplementedError

    def visit_Dict(self, node: cst.Dict) -> None:
        request = _dict_request(self.ctx, node)
        if request is not None:
            self._check_request(request)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._check_url(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self._check_url(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._check_url(node)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, (cst.Add, cst.Modulo)):
            self._check_url(node)

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
            self._check_url(node)
            return
        self._check_call(node)

    def _check_url(self, node: cst.BaseExpression) -> None:
        request = _url_request(self.ctx, node)
        if request is not None:
            self._check_url_request(request)

    def _check_url_request(self, request: AuthRequest) -> None:
        self._check_request(request)


def call_tail(call: cst.Call) -> str:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return ""
