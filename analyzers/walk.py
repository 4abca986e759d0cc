"""A fast pre-order walk over a libcst tree.

libcst's own ``visit`` rebuilds every node as it goes, which costs about four
times more than reading the dataclass fields; rules only read, so the engine
walks the fields directly. Whitespace and punctuation nodes are skipped: rules
read operators from their parents (``isinstance(cmp.operator, cst.Equal)``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import libcst as cst

_TRIVIA_MODULES = frozenset({"libcst._nodes.whitespace", "libcst._nodes.op"})
# Decorators come first so a walk meets them in source order.
_FIRST_FIELDS = ("decorators",)
_fields_cache: dict[type, tuple[str, ...]] = {}


def _child_fields(node_type: type) -> tuple[str, ...]:
    fields = _fields_cache.get(node_type)
    if fields is None:
        names = [f.name for f in dataclasses.fields(node_type)]
        names.sort(key=lambda n: 0 if n in _FIRST_FIELDS else 1)
        fields = _fields_cache[node_type] = tuple(names)
    return fields


_trivia_cache: dict[type, bool] = {}


def _is_trivia(node_type: type) -> bool:
    trivia = _trivia_cache.get(node_type)
    if trivia is None:
        trivia = _trivia_cache[node_type] = node_type.__module__ in _TRIVIA_MODULES
    return trivia


# Per type: 1 a node to visit, 0 trivia or not a node, 2 a sequence. ``isinstance`` against
# the CSTNode ABC is slow, and the walk asks it millions of times.
_kind_cache: dict[type, int] = {}


def _kind(value_type: type) -> int:
    kind = _kind_cache.get(value_type)
    if kind is None:
        if issubclass(value_type, cst.CSTNode):
            kind = 0 if _is_trivia(value_type) else 1
        else:
            kind = 2 if issubclass(value_type, (tuple, list)) else 0
        _kind_cache[value_type] = kind
    return kind


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    result: list[cst.CSTNode] = []
    for name in _child_fields(type(node)):
        value = getattr(node, name)
        kind = _kind(type(value))
        if kind == 1:
            result.append(value)
        elif kind == 2:
            result.extend(item for item in value if _kind(type(item)) == 1)
    return result


def walk(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every non-trivia node below ``root`` (``root`` excluded), in pre-order."""
    stack = list(reversed(children(root)))
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


Handler = Callable[[cst.CSTNode], None]
OnError = Callable[[Handler, Exception], None]


def dispatch(
    root: cst.CSTNode,
    enter: dict[type, list[Handler]],
    leave: dict[type, list[Handler]],
    path: list[cst.CSTNode],
    on_error: OnError | None = None,
) -> None:
    """Walk ``root`` calling handlers by node type; ``path`` holds the ancestors, current last.

    A handler that raises is passed to ``on_error`` (which may remove its rule's handlers from
    ``enter``/``leave``) and the walk goes on; without ``on_error`` the exception propagates.
    """
    _EXIT = object()
    stack: list[object] = [root]
    while stack:
        item = stack.pop()
        if item is _EXIT:
            node = path[-1]  # leave handlers see the node on the stack, as visit handlers do
            if handlers := leave.get(type(node)):
                _call(handlers, node, on_error)
            path.pop()
            continue
        node = item  # type: ignore[assignment]
        path.append(node)
        if handlers := enter.get(type(node)):
            _call(handlers, node, on_error)
        stack.append(_EXIT)
        stack.extend(reversed(children(node)))


def _call(handlers: list[Handler], node: cst.CSTNode, on_error: OnError | None) -> None:
    for handler in handlers:
        try:
            handler(node)
        except Exception as exc:
            if on_error is None:
                raise
            on_error(handler, exc)


def remove_handlers(owner: object, *tables: dict[type, list[Handler]]) -> None:
    """Drop ``owner``'s bound handlers from ``tables``. New lists, never edited in place: ``dispatch`` may be
    iterating over the old ones right now, and must not skip the handler after the one that failed."""
    for table in tables:
        for node_type, handlers in table.items():
            table[node_type] = [h for h in handlers if getattr(h, "__self__", None) is not owner]
