"""What several AR2xx rules use: the JWT libraries' calls, token payloads and scopes, fix helpers,
name vocabulary."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import libcst as cst

from ... import markup
from ...context import UNKNOWN, FileContext
from ...rule import Rule
from ...walk import children
from .._common import head_noun_in

# --- JWT (AR201-AR207): the libraries' calls, payloads, scopes, fixes -----------------

# Decode functions of the JWT libraries, by qualified name.
PYJWT_DECODE = frozenset({
    "jwt.decode", "jwt.decode_complete", "jwt.api_jwt.decode", "jwt.api_jwt.decode_complete",
    "jwt.PyJWT().decode", "jwt.api_jwt.PyJWT().decode", "jwt.PyJWT().decode_complete",
})
JOSE_DECODE = frozenset({"jose.jwt.decode"})
AUTHLIB_DECODE = frozenset({"authlib.jose.jwt.decode"})

ENCODE_FUNCTIONS = frozenset({"jwt.encode", "jwt.api_jwt.encode", "jwt.PyJWT().encode", "jose.jwt.encode"})

JOSE_ENCODE = frozenset({"jose.jwt.encode"})
# authlib signs with encode(header, payload, key): the algorithm lives in the header.
AUTHLIB_ENCODE = frozenset({
    "authlib.jose.jwt.encode", "authlib.jose.JsonWebToken().encode", "authlib.jose.rfc7519.JsonWebToken().encode",
})
ALL_ENCODE = ENCODE_FUNCTIONS | AUTHLIB_ENCODE
# Decodes whose keywords follow PyJWT/python-jose: algorithms, options, audience, issuer.
CLAIMS_DECODE = PYJWT_DECODE | JOSE_DECODE

STRING_NODES = (cst.SimpleString, cst.ConcatenatedString)


def scope_nodes(root: cst.CSTNode) -> Iterator[tuple[cst.CSTNode, list[cst.CSTNode]]]:
    """Nodes under ``root`` with their ancestors (root first, parent last), not entering nested defs.

    The ancestor list is reused between steps: read it before advancing.
    """
    path: list[cst.CSTNode] = [root]
    stack = [(child, 1) for child in reversed(children(root))]
    while stack:
        node, depth = stack.pop()
        del path[depth:]
        yield node, path
        if isinstance(node, (cst.FunctionDef, cst.Lambda)):
            continue  # another scope
        path.append(node)
        stack.extend((child, depth + 1) for child in reversed(children(node)))


def _binding_scope(ctx: FileContext, name: str) -> cst.CSTNode | None:
    """The innermost scope (function on the stack, else module) that binds ``name``."""
    for node in reversed(ctx.stack):
        if isinstance(node, cst.FunctionDef) and (id(node), name) in ctx.index.bindings:
            return node
    return ctx.module if (id(ctx.module), name) in ctx.index.bindings else None


def written_subscript_key(node: cst.Subscript) -> object:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        value = node.slice[0].slice.value
        if isinstance(value, STRING_NODES):
            return value.evaluated_value
    return UNKNOWN


def local_for(ctx: FileContext, qualified: str) -> str | None:
    """The local name an import binds to ``qualified`` (``timedelta`` for ``datetime.timedelta``)."""
    for local, full in ctx.index.imports.items():
        if full == qualified:
            return local
    return None


def with_hint(message: str, hint: str) -> str:
    return f"{message} (add {markup.code(hint)})" if hint else message


def remove_element(container: cst.CSTNode, target: cst.CSTNode) -> cst.CSTNode:
    """A list/tuple/set/dict literal without the element ``target`` (an element or its value)."""
    elements = list(container.elements)  # type: ignore[attr-defined]
    index = next(i for i, e in enumerate(elements) if e is target or getattr(e, "value", None) is target)
    removed = elements.pop(index)
    if elements and index == len(elements):
        elements[-1] = elements[-1].with_changes(comma=removed.comma)
    return container.with_changes(elements=elements)


def dict_entries(ctx: FileContext, node: cst.CSTNode | None) -> dict[str, tuple[cst.CSTNode, cst.BaseExpression]] | None:
    """String key -> (element, value) of a dict literal or ``dict(k=v)`` call; None when not fully known."""
    if isinstance(node, cst.Dict):
        result: dict[str, tuple[cst.CSTNode, cst.BaseExpression]] = {}
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return None
            key = ctx.literal(element.key)
            if not isinstance(key, str):
                return None
            result[key] = (element, element.value)
        return result
    if isinstance(node, cst.Call) and ctx.qualname(node.func) == "builtins.dict":
        result = {}
        for arg in node.args:
            if arg.star:
                return None
            if arg.keyword is None:
                inner = dict_entries(ctx, arg.value)
                if inner is None:
                    return None
                result.update(inner)
            else:
                result[arg.keyword.value] = (arg, arg.value)
        return result
    return None


_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "fatal"})


def is_log_call(ctx: FileContext, call: cst.Call) -> bool:
    name = ctx.qualname(call.func) or ""
    if name == "builtins.print" or name.startswith("logging.") or name.startswith("structlog."):
        return True
    func = call.func
    return (isinstance(func, cst.Attribute) and func.attr.value in _LOG_METHODS
            and "log" in ctx.code(func.value).lower())


def options_entries(rule: Rule, call: cst.Call) -> tuple[cst.CSTNode | None, dict[str, tuple[cst.CSTNode, Any]]]:
    """The options mapping written in the call (None if via a name) and its literal entries."""
    ctx = rule.ctx
    options = ctx.argument(call, "options")
    inline = options if isinstance(options, (cst.Dict, cst.Call)) else None
    if isinstance(options, cst.Name):
        options = ctx.value_of(options)
    entries = dict_entries(ctx, options) or {}
    return inline, {key: (element, ctx.literal(value)) for key, (element, value) in entries.items()}


def signature_off(rule: Rule, call: cst.Call) -> bool:
    """``options={"verify_signature": False}`` or PyJWT 1's ``verify=False``."""
    ctx = rule.ctx
    _, entries = options_entries(rule, call)
    if "verify_signature" in entries and entries["verify_signature"][1] is False:
        return True
    verify = ctx.argument(call, "verify")
    if verify is None and ctx.qualname(call.func) in PYJWT_DECODE:
        third = ctx.positional(call, 2)
        verify = third.value if third is not None else None
    return verify is not None and ctx.literal(verify) is False


_SAFE_PAYLOAD_READERS = frozenset({"json.dumps", "builtins.print", "builtins.len", "builtins.str", "builtins.repr",
                                   "builtins.dict", "builtins.sorted", "builtins.list", "copy.copy", "copy.deepcopy"})
_READ_METHODS = frozenset({"get", "copy", "items", "keys", "values", "__getitem__", "__contains__"})


def encode_payload(ctx: FileContext, call: cst.Call, name: str) -> cst.BaseExpression | None:
    if name in AUTHLIB_ENCODE:
        return ctx.argument(call, "payload", 1)
    arg = ctx.keyword(call, "payload") or ctx.keyword(call, "claims") or ctx.positional(call, 0)
    return arg.value if arg is not None else None


def payload_claims(ctx: FileContext, payload: cst.BaseExpression | None,
                   scopes: list[cst.CSTNode] | None = None) -> tuple[cst.CSTNode, dict[str, cst.BaseExpression]] | None:
    """(the dict literal or ``dict()`` call written in code, claim -> value) when every claim is known.

    A payload bound to a name counts later ``payload["k"] = v`` / ``payload.update(k=v)`` /
    ``setdefault`` in the same scope; anything it is handed to (that might add claims) makes it unknown.
    ``scopes`` (innermost first) replaces the traversal stack when resolving names ahead of the walk.
    """
    entries = dict_entries(ctx, payload)
    if entries is not None:
        return payload, {key: value for key, (_, value) in entries.items()}  # type: ignore[return-value]
    if not isinstance(payload, cst.Name):
        return None
    if scopes is None:
        scope, bound = _binding_scope(ctx, payload.value), ctx.value_of(payload)
    else:
        scope, bound = _bound_in(ctx, payload.value, scopes)
    entries = dict_entries(ctx, bound)
    if scope is None or bound is None or entries is None:
        return None
    claims = {key: value for key, (_, value) in entries.items()}
    for node, path in scope_nodes(scope):
        if not (isinstance(node, cst.Name) and node.value == payload.value) or isinstance(path[-1], cst.AssignTarget):
            continue
        if not _record_mutation(ctx, node, path, claims):
            return None
    return bound, claims


def _bound_in(ctx: FileContext, name: str, scopes: list[cst.CSTNode]) -> tuple[cst.CSTNode | None, cst.BaseExpression | None]:
    """The scope binding ``name`` and its one value, searching ``scopes`` (innermost first)."""
    for scope in scopes:
        values = ctx.index.bindings.get((id(scope), name))
        if values is not None:
            return scope, values[0] if len(values) == 1 else None
    return None, None


def _record_mutation(ctx: FileContext, node: cst.Name, path: list[cst.CSTNode],
                     claims: dict[str, cst.BaseExpression]) -> bool:
    """Adds the claims this use of the payload name sets; False when the use may add unknown claims."""
    parent = path[-1]
    grand = path[-2] if len(path) > 1 else None
    if isinstance(parent, cst.Subscript) and parent.value is node:
        if isinstance(grand, cst.AssignTarget):
            key = written_subscript_key(parent)
            if not isinstance(key, str):
                return False
            assign = path[-3]
            claims[key] = assign.value  # type: ignore[attr-defined]
        return True
    if isinstance(parent, cst.Attribute) and parent.value is node:
        call = grand
        if not (isinstance(call, cst.Call) and call.func is parent):
            return True
        method = parent.attr.value
        if method in _READ_METHODS or method == "pop":
            return True
        if method == "setdefault" and call.args and isinstance(ctx.literal(call.args[0].value), str):
            claims[ctx.literal(call.args[0].value)] = call.args[1].value if len(call.args) > 1 else call.args[0].value
            return True
        if method == "update":
            for arg in call.args:
                if arg.star:
                    return False
                if arg.keyword is not None:
                    claims[arg.keyword.value] = arg.value
                    continue
                entries = dict_entries(ctx, arg.value)
                if entries is None:
                    return False
                claims.update({k: v for k, (_, v) in entries.items()})
            return True
        return False
    if isinstance(parent, cst.Arg) and isinstance(grand, cst.Call):
        name = ctx.qualname(grand.func)
        return name in ALL_ENCODE or name in _SAFE_PAYLOAD_READERS or is_log_call(ctx, grand)
    return True


def is_refresh(ctx: FileContext, claims: dict[str, cst.BaseExpression], *names: str | None) -> bool:
    for key in ("type", "token_type", "typ", "token_use", "kind"):
        if key in claims and "refresh" in str(ctx.string(claims[key]) or "").lower():
            return True
    return any(name and "refresh" in name.lower() for name in names)


# --- names, imports and code (AR208-AR210) --------------------------------------------


def last_word(words: list[str]) -> str:
    """The last non-numeric word (``signature_256`` -> ``signature``)."""
    for word in reversed(words):
        if not word.isdigit():
            return word
    return ""


def visible_imports(ctx: FileContext) -> dict[str, str]:
    """Local name -> qualified name of the imports visible here: the module's top level
    (and its top-level ``if``/``try`` blocks) and the enclosing functions' own bodies.
    ``ctx.index.imports`` also holds imports local to other functions, which a fix cannot use."""
    found: dict[str, str] = {}
    blocks: list[cst.CSTNode] = [ctx.module, *(n for n in ctx.stack if isinstance(n, cst.FunctionDef))]
    for block in blocks:
        body = block.body if isinstance(block, cst.Module) else block.body.body
        statements = list(body)
        for statement in list(statements):
            if isinstance(statement, (cst.If, cst.Try)):
                statements.extend(statement.body.body)
        for statement in statements:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    for node in ctx.descendants(statement):
                        if isinstance(node, cst.ImportAlias):
                            local = node.evaluated_alias or node.evaluated_name.split(".")[0]
                            if local in ctx.index.imports:
                                found[local] = ctx.index.imports[local]
    return found


def module_alias(ctx: FileContext, module: str) -> str | None:
    """The local name under which ``module`` is imported where the fix goes, if it is."""
    for local, qualified in visible_imports(ctx).items():
        if qualified == module:
            return local
    return None


def with_parents(root: cst.CSTNode, parents: tuple[cst.CSTNode, ...] = ()) -> Iterator[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]]:
    """Every node below ``root`` with its ancestors (``root`` first, parent last)."""
    here = (*parents, root)
    for child in children(root):
        yield child, here
        yield from with_parents(child, here)


# Suffixes that name a form of the value, not a different thing: ``token_value``, ``secret_bytes``.
_VALUE_WORDS = frozenset({"value", "str", "string", "hex", "bytes", "b64", "raw", "bin", "encoded", "plain", "plaintext", "b"})


def head_is(words: list[str], singles: frozenset[str], bigrams: frozenset[tuple[str, str]]) -> bool:
    return head_noun_in(words, singles, bigrams, _VALUE_WORDS)


def resolved_subscript_key(ctx: FileContext, node: cst.Subscript) -> str | None:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return ctx.string(node.slice[0].slice.value)
    return None


def short_code(code: str, limit: int = 60) -> str:
    code = " ".join(code.split())
    return code if len(code) <= limit else code[: limit - 1] + "…"
