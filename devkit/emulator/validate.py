"""Validate requests and responses against GitHub's OpenAPI description (the 34-operation subset).

openapi-core does the validation (parameters, request bodies, status codes, response
bodies; OpenAPI 3.0 `nullable`, `$ref`, `allOf/oneOf/anyOf`). The spec is loaded and
checked once per process; the emulator does its own route matching and hands openapi-core
the matched path pattern, which skips openapi-core's path search.

Error statuses GitHub can return from any endpoint (401, 403, 404, 422, 429, 5xx) are not
declared on every operation in the description; such a response is checked against
GitHub's generic error shape (`basic-error`) instead of being flagged.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC_PATH = Path(__file__).resolve().parent / "data" / "rest-api-subset.json"
HOST_URL = "https://api.github.com"  # the spec's server; requests are matched by path only
# Path parameters whose values may contain slashes.
_GREEDY_PARAMS = {"path", "ref"}


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str  # lower case
    pattern: str
    regex: re.Pattern[str]
    responses: frozenset[str]

    def match(self, path: str) -> dict[str, str] | None:
        m = self.regex.fullmatch(path)
        return m.groupdict() if m else None


@dataclass
class ValidationFailure:
    kind: str  # "request" | "response" | "unknown-endpoint"
    method: str
    path: str
    status: int | None
    messages: list[str]

    def __str__(self) -> str:
        where = f"{self.method.upper()} {self.path}" + (f" -> {self.status}" if self.status else "")
        return f"{self.kind} {where}: " + "; ".join(self.messages)


@dataclass
class _Request:
    method: str
    path: str
    path_pattern: str
    parameters: RequestParameters
    body: bytes | None
    content_type: str
    host_url: str = HOST_URL
    full_url_pattern: str = field(init=False)

    def __post_init__(self) -> None:
        self.full_url_pattern = self.host_url + self.path_pattern


@dataclass
class _Response:
    status_code: int
    headers: Headers
    content_type: str
    data: bytes | None


def _compile(pattern: str) -> re.Pattern[str]:
    out = ""
    for piece in re.split(r"(\{[^}]+\})", pattern):
        if piece.startswith("{"):
            name = piece[1:-1]
            out += f"(?P<{name}>.+)" if name in _GREEDY_PARAMS else f"(?P<{name}>[^/]+)"
        else:
            out += re.escape(piece)
    return re.compile(out)


class SpecValidator:
    def __init__(self, spec_path: Path = SPEC_PATH) -> None:
        self.spec: dict[str, Any] = json.loads(spec_path.read_text("utf-8"))
        self.api = OpenAPI.from_dict(_normalise(json.loads(spec_path.read_text("utf-8"))))
        ops = []
        for pattern, item in self.spec["paths"].items():
            for method, op in item.items():
                if method in ("get", "post", "put", "patch", "delete"):
                    ops.append(Operation(op["operationId"], method, pattern, _compile(pattern),
                                         frozenset(op["responses"])))
        # Literal segments beat parameters (`pulls/comments/{id}` before `pulls/{number}/...`).
        ops.sort(key=lambda o: (o.pattern.count("{"), -len(o.pattern)))
        self.operations = ops
        self.basic_error = Draft4Validator(self.spec["components"]["schemas"]["basic-error"])
        self._cache: dict[tuple[Any, ...], tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def find(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        method = method.lower()
        for op in self.operations:
            if op.method == method:
                params = op.match(path)
                if params is not None:
                    return op, params
        return None

    def validate_request(self, op: Operation, path: str, path_params: Mapping[str, str],
                         query: list[tuple[str, str]], headers: Mapping[str, str], body: bytes | None,
                         content_type: str) -> list[str]:
        # No operation in the subset declares header parameters, so headers are not part of the key.
        key = ("request", op.operation_id, path, tuple(query), content_type, _digest(body))
        return self._memo(key, lambda: self._validate_request(op, path, path_params, query, headers, body,
                                                              content_type))

    def _validate_request(self, op: Operation, path: str, path_params: Mapping[str, str],
                          query: list[tuple[str, str]], headers: Mapping[str, str], body: bytes | None,
                          content_type: str) -> list[str]:
        request = self._request(op, path, path_params, query, headers, body, content_type)
        try:
            self.api.validate_request(request)
        except Exception as exc:  # openapi-core raises a family of exceptions; all mean "invalid"
            return _messages(exc)
        return []

    def _memo(self, key: tuple[Any, ...], compute: Callable[[], list[str]]) -> list[str]:
        """Same operation + same bytes give the same verdict; the bot's benchmark repeats requests."""
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None:
            return list(hit)
        result = compute()
        with self._lock:
            if len(self._cache) >= 8192:
                self._cache.clear()
            self._cache[key] = tuple(result)
        return result

    def validate_response(self, op: Operation, path: str, path_params: Mapping[str, str],
                          query: list[tuple[str, str]], status: int, headers: Mapping[str, str],
                          body: bytes | None, content_type: str) -> list[str]:
        if str(status) not in op.responses and "default" not in op.responses:
            if status >= 400:
                return self._generic_error(body)
            return [f"status {status} is not a documented response of {op.operation_id}"]
        if content_type and "json" not in content_type and status != 302:
            # Raw media types (application/vnd.github.raw, tarballs) have no schema to check.
            return []
        key = ("response", op.operation_id, status, content_type, _digest(body),
               tuple(sorted((k.lower(), v) for k, v in headers.items() if k.lower() == "location")))
        return self._memo(key, lambda: self._validate_response(op, path, path_params, query, status, headers, body,
                                                               content_type))

    def _validate_response(self, op: Operation, path: str, path_params: Mapping[str, str],
                           query: list[tuple[str, str]], status: int, headers: Mapping[str, str],
                           body: bytes | None, content_type: str) -> list[str]:
        request = self._request(op, path, path_params, query, {}, None, "application/json")
        response = _Response(status, Headers(dict(headers)), content_type, body)
        try:
            self.api.validate_response(request, response)
        except Exception as exc:
            return _messages(exc)
        return []

    def _generic_error(self, body: bytes | None) -> list[str]:
        try:
            data = json.loads(body or b"")
        except ValueError:
            return ["error response body is not JSON"]
        if not isinstance(data, dict) or not isinstance(data.get("message"), str):
            return ["error response has no string `message`"]
        return [f"{list(e.absolute_path)}: {e.message}" for e in self.basic_error.iter_errors(data)]

    @staticmethod
    def _request(op: Operation, path: str, path_params: Mapping[str, str], query: list[tuple[str, str]],
                 headers: Mapping[str, str], body: bytes | None, content_type: str) -> _Request:
        params = RequestParameters(query=ImmutableMultiDict(query), header=Headers(dict(headers)),
                                   cookie=ImmutableMultiDict(), path=dict(path_params))
        return _Request(op.method, path, op.pattern, params, body, content_type or "application/json")


_NULL_ONLY = {"type": "object", "nullable": True, "enum": [None]}


def _normalise(node: Any) -> Any:
    """Make three OpenAPI 3.0 constructs mean what GitHub's description intends, in place:

    - `discriminator` is dropped: the checks/create one maps to schemas that do not exist, and
      every `oneOf` here is already exclusive without it;
    - `nullable: true` with an `enum` lacking null gets null added (GitHub sends
      `"start_side": null`, `"conclusion": null`);
    - `nullable: true` on a bare `oneOf`/`anyOf` gets a null-only alternative, since the
      validator only honours `nullable` next to `type` (GitHub sends `"author": null` on commits).
    """
    if isinstance(node, list):
        for item in node:
            _normalise(item)
    elif isinstance(node, dict):
        node.pop("discriminator", None)
        if node.get("nullable") is True:
            if isinstance(node.get("enum"), list) and None not in node["enum"]:
                node["enum"].append(None)
            for combiner in ("oneOf", "anyOf"):
                if combiner in node and "type" not in node:
                    node[combiner].append(dict(_NULL_ONLY))
        for key, value in node.items():
            if key not in ("example", "examples"):
                _normalise(value)
    return node


def _messages(exc: BaseException) -> list[str]:
    """Short, readable reasons from openapi-core's nested exceptions."""
    out: list[str] = []
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        for schema_error in getattr(e, "schema_errors", None) or ():
            where = "/".join(str(p) for p in schema_error.absolute_path) or "<root>"
            out.append(f"{where}: {_short(schema_error.message)}")
        todo.extend(x for x in (e.__cause__, e.__context__) if x is not None)
        todo.extend(x for x in getattr(e, "errors", None) or () if isinstance(x, BaseException))
    return out or [_short(f"{type(exc).__name__}: {exc}")]


def _digest(body: bytes | None) -> str:
    return hashlib.blake2b(body or b"", digest_size=16).hexdigest()


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


@functools.lru_cache(maxsize=2)
def spec_validator(spec_path: Path = SPEC_PATH) -> SpecValidator:
    """One validator per process: loading and checking the spec costs ~0.3 s."""
    return SpecValidator(spec_path)
