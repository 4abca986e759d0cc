"""AR602 nosql-operator-injection: request JSON (operators, keys, whole objects) in a MongoDB filter."""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from ... import markup
from ...context import FileContext
from ...findings import Confidence, Fix, Severity
from ...project import Project, ProjectFact
from ...rule import Invalid, Rule
from ...walk import walk
from .._common import handler_flow, own_nodes

# --- handler helpers -----------------------------------------------------------------------


def _strip_await(expr: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(expr, cst.Await):
        expr = expr.expression
    return expr


def _wrapped_in_str(node: cst.BaseExpression) -> cst.Call:
    inner = node.with_changes(lpar=[], rpar=[]) if getattr(node, "lpar", None) else node
    return cst.Call(func=cst.Name("str"), args=[cst.Arg(inner)])


# --- AR602 ------------------------------------------------------------------------------

# Collection methods and the position of their filter (aggregate takes a pipeline).
_MONGO_FILTER_AT = {
    "find": 0, "find_one": 0, "find_one_and_update": 0, "find_one_and_delete": 0, "find_one_and_replace": 0,
    "update_one": 0, "update_many": 0, "delete_one": 0, "delete_many": 0, "replace_one": 0, "count_documents": 0,
    "count": 0, "distinct": 1, "find_raw_batches": 0, "aggregate": 0, "aggregate_raw_batches": 0,
}
# Names no other common API uses: no need for further evidence that this is MongoDB.
_MONGO_ONLY = frozenset({"find_one", "find_one_and_update", "find_one_and_delete", "find_one_and_replace", "update_one",
                         "update_many", "delete_one", "delete_many", "replace_one", "count_documents",
                         "find_raw_batches", "aggregate_raw_batches"})
_MONGO_EVIDENCE = re.compile(r"mongo|Mongo|bson|ObjectId|motor|beanie|['\"]\$[a-zA-Z]+['\"]|['\"]_id['\"]")
# A MongoDB driver or ODM imported anywhere in the project: the premise of the rule. Without one, methods named
# like collection methods (update_one, delete_many) are the project's own (a repository, a controller).
_MONGO_DRIVERS = re.compile(rb"^[ \t]*(?:from|import)[ \t]+(?:pymongo|motor|mongoengine|beanie|bson|odmantic|"
                            rb"flask_pymongo|flask_mongoengine|mongomock|mongita|umongo|pymodm)\b", re.MULTILINE)


def _own_method(func: cst.Attribute) -> bool:
    """``self.update_many(...)``: a method of the class itself (a controller, a repository), not a collection's."""
    return isinstance(func.value, cst.Name) and func.value.value in ("self", "cls")


def _imports_a_mongo_driver(project: Project) -> bool:
    return project.mentions(_MONGO_DRIVERS)


_PROJECT_USES_MONGO = ProjectFact("injection.project_uses_mongo", _imports_a_mongo_driver)


def _mongo_in_play(ctx: FileContext, method: str, target: cst.BaseExpression, file_evidence: bool) -> bool:
    """Whether this call can be a MongoDB query. In a project, only if it imports a MongoDB driver somewhere
    (a comment or a variable named "mongo" is no evidence). A file seen alone goes by what it shows: Mongo
    words, a method name no other common API uses, or a literal filter document."""
    if ctx.project is not None:
        return _PROJECT_USES_MONGO.get(ctx.project)
    return file_evidence or method in _MONGO_ONLY or isinstance(target, cst.Dict)
_JS_OPERATORS = frozenset({"$where", "$function", "$accumulator"})
# The request's own mappings of strings: their values are strings, their keys whatever the client sends.
_STRING_MAPPING = re.compile(r"\.(?:args|form|values|GET|POST|query_params|query|cookies)(?:\.(?:to_dict|dict|copy)\(\))?$")
_SCHEMA_LOADERS = frozenset({"load", "validate", "model_validate", "model_validate_json", "parse_obj", "parse_raw",
                             "deserialize", "from_dict", "structure", "validate_python", "validate_json"})
_RAW_PARSERS = frozenset({"json", "orjson", "ujson", "simplejson", "yaml", "pickle", "marshal", "toml", "tomllib",
                          "rapidjson", "msgpack"})


def _assigned_values(function: cst.FunctionDef) -> dict[str, list[cst.BaseExpression]]:
    values: dict[str, list[cst.BaseExpression]] = {}
    for node in own_nodes(function):
        if isinstance(node, cst.Assign):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    values.setdefault(target.target.value, []).append(node.value)
        elif isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name) and node.value is not None:
            values.setdefault(node.target.value, []).append(node.value)
    return values


@dataclass
class _Injected:
    node: cst.BaseExpression
    kind: str  # field | whole | spread | js | key
    field: str | None = None
    holder: cst.CSTNode | None = None  # the dict literal the value sits in (for the fix)


class NoSqlOperatorInjection(Rule):
    """What it does: flags MongoDB queries (pymongo, motor, and APIs that take Mongo filters) whose filter
    takes request data that may be a JSON object rather than a string: a field of the request body
    used as a value (``{"email": data["email"]}``), the whole body or a dict from it used as the filter
    (``find_one(request.json)``), spread into it (``{**criteria}``), or put in a ``$where``. Values cast
    with ``str()``/``int()``/``ObjectId()``, query-string and form values, path parameters and fields of
    validated (pydantic) models are strings or numbers and are not reported.

    Why is this bad: JSON lets the client send ``{"password": {"$ne": null}}`` instead of a string, and
    Mongo reads the object as an operator: the login matches any user, the share-token check matches
    any token, a scoped filter is widened or overridden. ``$where`` runs the client's JavaScript.

    Example:
        data = request.get_json()
        user = db.users.find_one({"email": data["email"], "password_hash": hash_pw(data["password"])})

    Use instead:
        data = request.get_json()
        user = db.users.find_one({"email": str(data["email"])})
    """

    id = "AR602"
    name = "nosql-operator-injection"
    title = "Request JSON in a MongoDB filter"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 943
    prefilter = (
        re.compile(r"\.\s*(?:find|find_one\w*|update_one|update_many|delete_one|delete_many|replace_one|"
                   r"count_documents|count|distinct|aggregate|find_raw_batches|aggregate_raw_batches)\s*\("),
        re.compile(r"request|Request|Body\(|: dict"),
    )
    in_tests = False

    VALID = [
        # Cast to strings first.
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
        "    data = request.get_json()\n"
        "    user = db.users.find_one({'email': str(data['email']), 'active': True})\n",
        # Query-string values are strings.
        "from flask import Flask, request\napp = Flask(__name__)\n@app.get('/notes')\ndef notes():\n"
        "    return list(db.notes.find({'tag': request.args.get('tag'), 'owner_id': current_user.id}))\n",
        # Fields of a pydantic model have their declared types.
        "from fastapi import FastAPI\nfrom pydantic import BaseModel\napp = FastAPI()\n"
        "class Login(BaseModel):\n    email: str\n    password: str\n"
        "@app.post('/login')\nasync def login(body: Login):\n    return await db.users.find_one({'email': body.email})\n",
        # A path parameter.
        "from flask import Flask\napp = Flask(__name__)\n@app.get('/s/<token>')\ndef share(token):\n"
        "    return db.shares.find_one({'token': token})\n",
        # Not Mongo: a string search.
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/x')\ndef x():\n"
        "    return request.json['text'].find(request.json['needle'])\n",
        # Typed by a schema.
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
        "    data = LoginSchema().load(request.get_json())\n    return db.users.find_one({'email': data['email']})\n",
        "from rest_framework.decorators import api_view\n@api_view(['POST'])\ndef lookup(request):\n"
        "    serializer = LookupSerializer(data=request.data)\n    serializer.is_valid(raise_exception=True)\n"
        "    return db.orders.find_one({'number': serializer.validated_data['number']})\n",
        # A pydantic model's fields.
        "from fastapi import FastAPI\nfrom pydantic import BaseModel\napp = FastAPI()\n"
        "class Filter(BaseModel):\n    tag: str\n    archived: bool = False\n"
        "@app.post('/notes/filter')\nasync def notes(f: Filter):\n    return await db.notes.find(f.model_dump()).to_list(50)\n",
        # Built by a helper that validates it.
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/search')\ndef search():\n"
        "    return list(db.items.find(build_filter(request.json)))\n",
    ]
    INVALID = [
        Invalid(
            "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
            "    data = request.get_json()\n"
            "    user = db.users.find_one({'email': data['email'], 'password': data['password']})\n",
            fixed="from flask import Flask, request\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
            "    data = request.get_json()\n"
            "    user = db.users.find_one({'email': str(data['email']), 'password': str(data['password'])})\n",
        ),
        Invalid(
            "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/audit')\ndef audit():\n"
            "    return audit_log().find_one(request.json, {'_id': 0})\n",
        ),
        Invalid(
            "from starlette.requests import Request\nasync def redeem(request: Request):\n"
            "    body = await request.json()\n"
            "    share = await db.shares.find_one(\n"
            "        {\n"
            "            'token': body['token'],\n"
            "            'expires_at': {'$gt': now()},\n"
            "        }\n"
            "    )\n",
            fixed="from starlette.requests import Request\nasync def redeem(request: Request):\n"
            "    body = await request.json()\n"
            "    share = await db.shares.find_one(\n"
            "        {\n"
            "            'token': str(body['token']),\n"
            "            'expires_at': {'$gt': now()},\n"
            "        }\n"
            "    )\n",
        ),
        Invalid(
            "from starlette.requests import Request\nasync def filter_notes(request: Request):\n"
            "    criteria = await request.json()\n"
            "    return db.notes.find({'owner_id': request.user.id, **criteria})\n",
        ),
        Invalid(
            "import json\nfrom django.http import JsonResponse\ndef lookup(request):\n"
            "    payload = json.loads(request.body)\n    query = {'active': True}\n"
            "    query['username'] = payload.get('username')\n"
            "    return JsonResponse({'found': users.count_documents(query) > 0})\n",
            fixed="import json\nfrom django.http import JsonResponse\ndef lookup(request):\n"
            "    payload = json.loads(request.body)\n    query = {'active': True}\n"
            "    query['username'] = str(payload.get('username'))\n"
            "    return JsonResponse({'found': users.count_documents(query) > 0})\n",
        ),
        Invalid(
            "from fastapi import FastAPI\nfrom motor.motor_asyncio import AsyncIOMotorClient\napp = FastAPI()\n"
            "db = AsyncIOMotorClient(MONGO_URL).shop\n@app.post('/search')\n"
            "async def search(filters: dict):\n    return await db.items.find(filters).to_list(100)\n",
        ),
        # Query-string values are strings, but their names are the client's: ``?$where=...``.
        Invalid(
            "from flask import Flask, request\nfrom pymongo import MongoClient\napp = Flask(__name__)\n"
            "db = MongoClient().shop\n@app.get('/products')\ndef products():\n"
            "    return list(db.products.find(request.args.to_dict(), {'_id': 0}))\n",
        ),
        Invalid(
            "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/q')\ndef q():\n"
            "    return list(db.items.find({'$where': 'this.owner == \"' + request.json['owner'] + '\"'}))\n",
        ),
    ]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        ctx = self.ctx
        sinks = [n for n in own_nodes(node) if isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute)
                 and n.func.attr.value in _MONGO_FILTER_AT and n.args and not _own_method(n.func)]
        if not sinks:
            return
        evidence = bool(_MONGO_EVIDENCE.search(ctx.source.text))
        flow, label, endpoint = handler_flow(ctx, node)
        self._values = _assigned_values(node)
        for call in sinks:
            method = call.func.attr.value  # type: ignore[attr-defined]
            if method.startswith("aggregate"):
                pipeline = ctx.argument(call, "pipeline", 0)
                found = self._pipeline(node, flow, pipeline) if pipeline is not None else []
            else:
                target = ctx.argument(call, "filter", _MONGO_FILTER_AT[method])
                if target is None or not _mongo_in_play(ctx, method, target, evidence):
                    continue
                found = []
                self._filter(node, flow, target, found, 0)
            found = [f for f in found if endpoint or not (flow.client_source(f.node) or "").startswith("path parameter")]
            if found:
                self._report(flow, label, call, found)

    # --- what the filter holds ----------------------------------------------------
    def _structured(self, flow, expr: cst.BaseExpression) -> bool:
        """Client data that may be a JSON object, and did not go through a schema that types it."""
        return flow.may_be_structured(expr) and not self._validated(expr, 0)

    def _whole(self, flow, expr: cst.BaseExpression) -> bool:
        """A mapping the client wrote used as (part of) a filter: a JSON object, or the query string's
        parameters (``request.args.to_dict()``), whose *names* the client picks too (``$where``)."""
        expr = _strip_await(expr)
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and \
                expr.func.attr.value in ("dict", "model_dump") and not expr.args:
            return False  # a pydantic model's fields: names and types fixed by the model
        if self._structured(flow, expr):
            return True
        if not flow.is_client(expr):
            return False
        if isinstance(expr, cst.Call) and self.ctx.qualname(expr.func) == "builtins.dict":
            return True
        return bool(_STRING_MAPPING.search(self.ctx.code(expr)))

    def _validated(self, expr: cst.BaseExpression, depth: int) -> bool:
        """Derived from ``schema.load(...)``, ``Model.model_validate(...)``, ``serializer.validated_data``,
        ``form.cleaned_data``: fields have the types the schema declares."""
        if depth > 4:
            return False
        for node in [expr, *walk(expr)]:
            if isinstance(node, cst.Attribute) and node.attr.value in ("validated_data", "cleaned_data"):
                return True
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
                    node.func.attr.value in _SCHEMA_LOADERS:
                receiver = self.ctx.qualname(node.func.value) or self.ctx.dotted_name(node.func.value) or ""
                if receiver.split(".")[0] not in _RAW_PARSERS:
                    return True
            if isinstance(node, cst.Name) and depth < 4:
                for value in self._values.get(node.value, ()):
                    if value is not expr and self._validated(value, depth + 1):
                        return True
        return False

    def _pipeline(self, function: cst.FunctionDef, flow, pipeline: cst.BaseExpression) -> list[_Injected]:
        found: list[_Injected] = []
        pipeline = _strip_await(pipeline)
        literals = self._bound_to_literals(function, pipeline)
        if literals:
            for literal in literals:
                found += self._pipeline(function, flow, literal)
            return found
        if isinstance(pipeline, (cst.List, cst.Tuple)):
            for element in pipeline.elements:
                stage = element.value
                if isinstance(stage, cst.Dict):
                    for item in stage.elements:
                        if isinstance(item, cst.DictElement) and self.ctx.string(item.key) == "$match":
                            self._filter(function, flow, item.value, found, 0)
                elif not isinstance(element, cst.StarredElement) and self._structured(flow, stage):
                    found.append(_Injected(stage, "whole"))
        elif self._structured(flow, pipeline):
            found.append(_Injected(pipeline, "whole"))
        return found

    def _filter(self, function: cst.FunctionDef, flow, expr: cst.BaseExpression,
                found: list[_Injected], depth: int) -> None:
        if depth > 4:
            return
        ctx = self.ctx
        expr = _strip_await(expr)
        if isinstance(expr, cst.Dict):
            for element in expr.elements:
                if isinstance(element, cst.StarredDictElement):
                    if self._whole(flow, element.value):
                        found.append(_Injected(element.value, "spread"))
                    continue
                key = ctx.string(element.key)
                value = element.value
                if key is None:
                    if not isinstance(element.key, (cst.FormattedString, cst.BinaryOperation)) and \
                            flow.is_client(element.key):
                        found.append(_Injected(element.key, "key"))
                    continue
                if key in ("$and", "$or", "$nor"):
                    if isinstance(value, (cst.List, cst.Tuple)):
                        for item in value.elements:
                            self._filter(function, flow, item.value, found, depth + 1)
                    elif self._structured(flow, value):
                        found.append(_Injected(value, "whole", key))
                elif key in _JS_OPERATORS:
                    if flow.is_client(value):
                        found.append(_Injected(value, "js", key))
                elif not key.startswith("$") and not isinstance(value, (cst.Dict, cst.List, cst.Tuple, cst.ListComp)) \
                        and self._structured(flow, value):
                    found.append(_Injected(value, "field", key, expr))
            return
        if isinstance(expr, cst.Name):
            literals = self._bound_to_literals(function, expr)
            if literals:
                for literal in literals:
                    self._filter(function, flow, literal, found, depth + 1)
                self._mutations(function, flow, expr.value, found)
                return
        if self._whole(flow, expr):
            found.append(_Injected(expr, "whole"))

    def _bound_to_literals(self, function: cst.FunctionDef, name: cst.BaseExpression) -> list[cst.BaseExpression]:
        """The dict/list literals a local filter is built from (``query = {...}``), when it is only ever those."""
        if not isinstance(name, cst.Name):
            return []
        values = []
        for node in own_nodes(function):
            if isinstance(node, cst.Assign) and any(isinstance(t.target, cst.Name) and t.target.value == name.value
                                                    for t in node.targets):
                values.append(_strip_await(node.value))
            elif isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name) and \
                    node.target.value == name.value and node.value is not None:
                values.append(_strip_await(node.value))
        if values and all(isinstance(v, (cst.Dict, cst.List, cst.Tuple)) for v in values):
            return values
        return []

    def _mutations(self, function: cst.FunctionDef, flow, name: str, found: list[_Injected]) -> None:
        """``query["field"] = value`` and ``query.update(...)`` on a filter built as a literal."""
        ctx = self.ctx
        for node in own_nodes(function):
            if isinstance(node, cst.Assign):
                for target in node.targets:
                    sub = target.target
                    if isinstance(sub, cst.Subscript) and isinstance(sub.value, cst.Name) and sub.value.value == name:
                        key = _subscript_string_key(ctx, sub)
                        if key is None or key.startswith("$"):
                            if flow.is_client(node.value) and (key is None or key in _JS_OPERATORS):
                                found.append(_Injected(node.value, "js" if key else "key", key))
                        elif self._structured(flow, node.value) and \
                                not isinstance(node.value, (cst.Dict, cst.List, cst.Tuple, cst.ListComp)):
                            found.append(_Injected(node.value, "field", key))
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
                    isinstance(node.func.value, cst.Name) and node.func.value.value == name and \
                    node.func.attr.value == "update":
                for arg in node.args:
                    if isinstance(arg.value, cst.Dict):
                        self._filter(function, flow, arg.value, found, 1)
                    elif arg.keyword is not None and self._structured(flow, arg.value):
                        found.append(_Injected(arg.value, "field", arg.keyword.value))
                    elif self._whole(flow, arg.value):
                        found.append(_Injected(arg.value, "spread"))

    # --- reporting --------------------------------------------------------------------
    def _report(self, flow, label: str, call: cst.Call, found: list[_Injected]) -> None:
        ctx = self.ctx
        method = f"{call.func.attr.value}()"  # type: ignore[attr-defined]
        first = found[0]
        source = flow.client_source_markdown(first.node) or markup.code(ctx.code(first.node))
        if first.kind == "whole":
            what = f"uses {source} as the whole filter of {markup.code(method)}" if first.field is None else \
                f"uses {source} as the {markup.code(first.field)} list of {markup.code(method)}"
            message = (f"{markup.code(label)} {what}: the client picks the fields and operators (`{{\"$ne\": null}}`, "
                       "`$where`) and can match any document; build the filter from named fields cast with `str()`")
        elif first.kind == "spread":
            message = (f"{markup.code(label)} spreads {source} into the filter of {markup.code(method)}: the client can add operators "
                       "(`{\"$ne\": null}`, `$where`) and override the fields the code sets; copy only named fields, "
                       "cast with `str()`")
        elif first.kind == "js":
            message = (f"{markup.code(label)} puts {source} into a {markup.code(first.field)} JavaScript expression of {markup.code(method)}: the "
                       "client's text runs as server-side JavaScript; use ordinary query operators")
        elif first.kind == "key":
            message = (f"{markup.code(label)} lets {source} name a field of the filter of {markup.code(method)}: the client can pick "
                       "`$where` or any field; map allowed names to fields")
        else:
            fields = [markup.code(f.field) for f in found if f.kind == "field"]
            where = f"the {fields[0]} field" if len(fields) == 1 else \
                f"the {', '.join(fields[:-1])} and {fields[-1]} fields"
            message = (f"{markup.code(label)} puts {source} into {where} of the {markup.code(method)} filter: a JSON object such as "
                       "`{\"$ne\": null}` there is read as an operator and matches any document (login bypass, "
                       f"other users' data); cast {'the value' if len(fields) == 1 else 'each value'} with `str()`")
        self.report(first.node, message, fix=self._fix(found))

    def _fix(self, found: list[_Injected]) -> Fix | None:
        ctx = self.ctx
        if any(f.kind != "field" or f.field in ("_id", "id") for f in found):
            return None
        if len(found) == 1:
            return ctx.replace(found[0].node, _wrapped_in_str(found[0].node), "cast to str")
        holder = found[0].holder
        if not isinstance(holder, cst.Dict) or any(f.holder is not holder for f in found):
            return None
        targets = {id(f.node) for f in found}
        elements = [e.with_changes(value=_wrapped_in_str(e.value)) if isinstance(e, cst.DictElement)
                    and id(e.value) in targets else e for e in holder.elements]
        return ctx.replace(holder, holder.with_changes(elements=elements), "cast to str")


def _subscript_string_key(ctx: FileContext, node: cst.Subscript) -> str | None:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return ctx.string(node.slice[0].slice.value)
    return None


__all__ = ["NoSqlOperatorInjection"]
