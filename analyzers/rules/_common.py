"""Vocabulary shared by several rule families: what names mean secrets, what reads the environment, fix helpers,
the nodes and data flow of a handler's body."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from ..context import UNKNOWN, FileContext, FileFact
from ..frameworks import Framework, HandlerFlow, endpoint_for
from ..walk import children

# Names that hold a secret value (a key, token, password...). Matched against
# identifiers, dict keys and config keys, case-insensitively, on word parts.
SECRET_NAME = re.compile(
    r"(?:^|_|\b)(?:secret|secret_?key|signing_?key|private_?key|api_?key|apikey|access_?key|"
    r"client_?secret|token|access_?token|refresh_?token|auth_?token|bearer|passwd|password|"
    r"pwd|passphrase|credentials?|jwt_?key|hmac_?key|session_?key)(?:$|_|\b)",
    re.IGNORECASE,
)
# Names that look like secrets but hold none (a field name, a URL, a length...).
NOT_SECRET_NAME = re.compile(
    r"(?:_|\b)(?:name|names|field|fields|header|url|uri|path|file|type|len|length|size|id|ids|"
    r"count|prefix|pattern|regex|re|label|hint|placeholder|endpoint|column|param|key_name|"
    r"env|var|setting|format|algorithm|algorithms|expires?|expiry|lifetime|ttl|max_age|timeout|"
    r"min|max|hash|hashed|hasher|policy|validator|validators|reset_url|question)$",
    re.IGNORECASE,
)

ENV_READERS = frozenset({"os.getenv", "os.environ.get", "os.environ.__getitem__", "os.getenvb",
                         "decouple.config", "environ.Env()", "environ.Env()."})


def is_secret_name(name: str) -> bool:
    """``JWT_SECRET``, ``api_key``, ``db_password``: yes. ``password_field``, ``token_url``: no."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return bool(SECRET_NAME.search(snake)) and not NOT_SECRET_NAME.search(snake)


def target_name(node: cst.CSTNode) -> str | None:
    """The last identifier of an assignment target or key: ``x``, ``self.x``, ``cfg["x"]``."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            value = index.value.evaluated_value
            return value if isinstance(value, str) else None
    return None


def is_env_read(ctx: FileContext, node: cst.CSTNode) -> bool:
    """``os.environ["X"]``, ``os.getenv("X")``, ``os.environ.get("X")``, ``config("X")`` (decouple)."""
    if isinstance(node, cst.Subscript):
        return ctx.qualname(node.value) == "os.environ"
    if isinstance(node, cst.Call):
        name = ctx.qualname(node.func) or ""
        return name in ENV_READERS or name.startswith("environ.Env().")
    return False


def add_keyword(call: cst.Call, keyword: str, value: cst.BaseExpression | str) -> cst.Call:
    """``call`` with ``keyword=value`` appended, keeping one-line or multi-line layout."""
    expr = cst.parse_expression(value) if isinstance(value, str) else value
    new = cst.Arg(
        value=expr,
        keyword=cst.Name(keyword),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma):
        separator = args[-2].comma
    elif isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
        separator = cst.Comma(whitespace_after=call.whitespace_before_args)
    else:
        separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    new = new.with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
    args[-1] = last.with_changes(comma=separator, whitespace_after_arg=cst.SimpleWhitespace(""))
    args.append(new)
    return call.with_changes(args=args)


def add_dict_element(node: cst.Dict, key: str, value: str) -> cst.Dict:
    """``node`` with ``key: value`` appended, keeping one-line or multi-line layout."""
    new = cst.DictElement(key=cst.parse_expression(key), value=cst.parse_expression(value))
    elements = list(node.elements)
    if not elements:
        return node.with_changes(elements=[new])
    last = elements[-1]
    if len(elements) >= 2 and isinstance(elements[-2].comma, cst.Comma):
        separator = elements[-2].comma
    elif isinstance(node.lbrace.whitespace_after, cst.ParenthesizedWhitespace):
        separator = cst.Comma(whitespace_after=node.lbrace.whitespace_after)
    else:
        separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    elements[-1] = last.with_changes(comma=separator)
    elements.append(new.with_changes(comma=last.comma))
    return node.with_changes(elements=elements)


def set_keyword(call: cst.Call, keyword: str, value: cst.BaseExpression | str) -> cst.Call:
    """``call`` with ``keyword`` set to ``value``: replaced if present, appended if not."""
    expr = cst.parse_expression(value) if isinstance(value, str) else value
    for i, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == keyword:
            args = list(call.args)
            args[i] = arg.with_changes(value=expr)
            return call.with_changes(args=args)
    return add_keyword(call, keyword, expr)


def remove_keyword(call: cst.Call, keyword: str) -> cst.Call:
    """``call`` without ``keyword=...``; the comma layout of the others is kept."""
    args = [a for a in call.args if not (a.keyword is not None and a.keyword.value == keyword)]
    if args and len(args) < len(call.args):
        removed_last = call.args[-1].keyword is not None and call.args[-1].keyword.value == keyword
        if removed_last:
            args[-1] = args[-1].with_changes(comma=call.args[-1].comma if isinstance(call.args[-1].comma, cst.Comma)
                                             and isinstance(call.args[-1].comma.whitespace_after, cst.ParenthesizedWhitespace)
                                             else cst.MaybeSentinel.DEFAULT)
    return call.with_changes(args=args)


def literal_is(ctx: FileContext, node: cst.CSTNode | None, value: object) -> bool:
    found = ctx.literal(node)
    return found is not UNKNOWN and found == value and type(found) is type(value)


# Modules whose "tokens" are a parser's, not credentials. One substring test per hint, then a
# precise check: a 13-way regex alternation over a whole file costs ten times more.
_PARSER_HINTS = tuple((word, re.compile(pattern)) for word, pattern in (
    ("tokeniz", "tokeniz"), ("exer", r"[Ll]exer\b"), ("nltk", r"\bnltk\b"), ("spacy", r"\bspacy\b"),
    ("transformers", r"\btransformers\b"), ("pygments", r"\bpygments\b"), ("tiktoken", r"\btiktoken\b"),
    ("pyparsing", "pyparsing"), ("markdown_it", "markdown_it"), ("mistune", r"\bmistune\b"),
    ("lark", r"\blark\b"), ("ply", r"\bply\b"), ("token import", r"from \.*token import"),
))


def is_parser_module(ctx: FileContext) -> bool:
    """Whether the file tokenizes text (a lexer, an NLP pipeline), where "token" means no secret."""
    return _PARSER_MODULE.get(ctx)


def _mentions_a_parser(ctx: FileContext) -> bool:
    text = ctx.source.text
    return any(word in text and p.search(text) for word, p in _PARSER_HINTS)


_PARSER_MODULE = FileFact("parser_module", _mentions_a_parser)


class _Replacer(cst.CSTTransformer):
    def __init__(self, mapping: dict[int, cst.CSTNode]) -> None:
        super().__init__()
        self.mapping = mapping

    def on_leave(self, original_node, updated_node):
        return self.mapping.get(id(original_node), updated_node)


def replace_nodes(root: cst.CSTNode, mapping: dict[int, cst.CSTNode]) -> cst.CSTNode:
    """``root`` with each node whose ``id()`` is in ``mapping`` replaced by its new node."""
    return root.visit(_Replacer(mapping))


def head_noun_in(words: list[str], singles: frozenset[str], bigrams: frozenset[tuple[str, str]],
                 value_words: frozenset[str]) -> bool:
    """Whether a name's head noun (its last word, less value-form suffixes like ``hex``) is one of ``singles``
    or ends one of ``bigrams``: ``reset_token`` yes, ``password_form`` no."""
    core = list(words)
    while core and (core[-1].isdigit() or core[-1] in value_words):
        core.pop()
    if not core:
        return False
    return core[-1] in singles or (len(core) >= 2 and (core[-2], core[-1]) in bigrams)


# --- handler bodies (AR403, AR405, AR602, AR603) --------------------------------------------


def own_nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The nodes below ``node`` (of a function: its body) in order, without the bodies of nested functions,
    classes and lambdas."""
    stack = list(reversed(children(node.body if isinstance(node, cst.FunctionDef) else node)))
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            stack.extend(reversed(children(current)))


def handler_flow(ctx: FileContext, function: cst.FunctionDef) -> tuple[HandlerFlow, str, bool]:
    """(HandlerFlow, label, is an endpoint) for ``function``: its endpoint's framework and route, or a helper's view.

    In a helper (no route found for it) parameters are not client data; read the request through
    a ``request`` parameter or Flask's global. (The flow counts ``*args``/``**kwargs`` as URL
    variables, which only an endpoint has: ignore client sources called "path parameter" there.)
    """
    flows = _HANDLER_FLOWS.get(ctx)
    cached = flows.get(id(function))
    if cached is None:
        endpoint = endpoint_for(ctx, function)
        if endpoint is not None:
            cached = (HandlerFlow.build(ctx, function, endpoint.framework), endpoint.label, True)
        else:  # a helper: only the request object (a ``request`` parameter, Flask's global) is client data
            cached = (HandlerFlow.build(ctx, function, Framework.FLASK, frozenset()), f"{function.name.value}()", False)
        flows[id(function)] = cached
    return cached


# (HandlerFlow, label, is an endpoint) by id(function)
_HANDLER_FLOWS: FileFact[dict[int, tuple[HandlerFlow, str, bool]]] = FileFact("handler_flow", lambda _ctx: {})
