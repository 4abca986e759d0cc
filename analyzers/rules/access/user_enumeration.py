"""AR108 user-enumeration (access control on routes): login and reset flows.

AR108 reads login and reset handlers (and the helpers and serializers they delegate to)
for a user looked up by a client-supplied identifier whose "no such user" branch answers
differently from the "wrong password" branch (or, in a reset flow, from the "e-mail sent"
answer).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import libcst as cst

from ... import markup
from ...context import FileContext
from ...findings import Confidence, Severity
from ...frameworks import Endpoint, Framework, HandlerFlow, endpoint_label, endpoints
from ...imports import dotted_name
from ...rule import Invalid, Rule
from ...walk import walk
from ...words import split_words
from ._shared import (
    _RESET_WORDS,
    _is_mail_call,
    _secret_comparison,
    _strip_await,
    callee_text,
    secret_check_kind,
    sends_reset,
    signed_in,
    tail_name,
)

_IDENT_FIELDS = frozenset({"email", "username", "user_name", "login", "phone", "phone_number", "mobile", "handle",
                           "email_address", "mail", "user", "username_or_email", "login_name", "user_email",
                           "nickname", "userid", "user_id", "account", "name", "msisdn"})
_LOOKUP_VERBS = frozenset({"get", "find", "fetch", "load", "lookup", "by", "query", "retrieve", "read", "search"})
_PRINCIPAL_WORDS = frozenset({"user", "users", "account", "accounts", "member", "members", "customer", "customers",
                              "person", "staff", "admin", "employee", "profile"})
_FLOW_WORDS = frozenset({"reset", "forgot", "forgotten", "recover", "recovery", "login", "signin", "logon"})
_MISSING_EXCEPTIONS = frozenset({"DoesNotExist", "ObjectDoesNotExist", "NoResultFound", "NotFound", "UserNotFound",
                                 "UserDoesNotExist", "LookupError", "KeyError"})
_HTTP_STATUS_NAMES = {"OK": 200, "CREATED": 201, "ACCEPTED": 202, "NO_CONTENT": 204, "FOUND": 302,
                      "SEE_OTHER": 303, "BAD_REQUEST": 400, "UNAUTHORIZED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404,
                      "CONFLICT": 409, "GONE": 410, "UNPROCESSABLE_ENTITY": 422, "UNPROCESSABLE_CONTENT": 422,
                      "TOO_MANY_REQUESTS": 429}
_IMPLIED_STATUS = {"NotFound": 404, "Http404": 404, "HTTPNotFound": 404, "HttpResponseNotFound": 404,
                   "Unauthorized": 401, "HTTPUnauthorized": 401, "AuthenticationFailed": 401, "NotAuthenticated": 401,
                   "PermissionDenied": 403, "Forbidden": 403, "HTTPForbidden": 403, "HttpResponseForbidden": 403,
                   "BadRequest": 400, "HTTPBadRequest": 400, "HttpResponseBadRequest": 400, "ValidationError": 400,
                   "redirect": 302, "RedirectResponse": 307, "HttpResponseRedirect": 302}
_HTTP_EXCEPTIONS = frozenset({"HTTPException", "HTTPError", "HttpError", "ValidationError", "AuthenticationFailed",
                              "NotAuthenticated", "NotFound", "PermissionDenied", "Http404", "Unauthorized",
                              "Forbidden", "BadRequest", "HTTPNotFound", "HTTPUnauthorized", "HTTPForbidden",
                              "HTTPBadRequest", "APIException", "ParseError"})
_RESPONSE_CALLS = re.compile(r"(?:Response|jsonify|render|render_template|redirect|make_response|JsonResponse|"
                             r"HttpResponse\w*|TemplateResponse|abort)$")
_MESSAGE_CALLS = frozenset({"flash", "add_error", "error", "warning", "info", "success", "add_message"})


_FLOW_TEXT = re.compile(r"(?i)passw|reset|forgot|recover|authenticat|magic|checkpw|verify")


def _words_in(node: cst.CSTNode) -> str:
    """The names, attributes and strings of a node, joined: enough to ask what a body talks about,
    without rendering its code."""
    parts = []
    for child in walk(node):
        if isinstance(child, cst.Name):
            parts.append(child.value)
        elif isinstance(child, cst.Attribute):
            parts.append(child.attr.value)
        elif isinstance(child, (cst.SimpleString, cst.FormattedStringText)):
            parts.append(child.value)
    return " ".join(parts)


def _is_missing_test(test: cst.BaseExpression, name: str) -> bool | None:
    """True for ``x is None`` / ``not x``; False for ``x`` / ``x is not None``; None when not about ``x`` alone."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = test.expression
        if isinstance(inner, cst.Name) and inner.value == name:
            return True
        if isinstance(inner, cst.Call) and tail_name(inner.func) == "exists" and name in _names_in(inner):
            return True
        return None
    if isinstance(test, cst.Name) and test.value == name:
        return False
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        left, op = test.left, test.comparisons[0].operator
        right = test.comparisons[0].comparator
        if isinstance(left, cst.Name) and left.value == name and isinstance(right, cst.Name) and right.value == "None":
            if isinstance(op, (cst.Is, cst.Equal)):
                return True
            if isinstance(op, (cst.IsNot, cst.NotEqual)):
                return False
    return None


def _inline_lookup(test: cst.BaseExpression) -> tuple[cst.Call, bool] | None:
    """``not X.exists()`` / ``X.first() is None`` -> (X's call, True); ``X.exists()`` / ``X is not None`` -> (.., False)."""
    missing = False
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        missing, test = True, test.expression
    elif isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and \
            isinstance(test.comparisons[0].comparator, cst.Name) and test.comparisons[0].comparator.value == "None":
        operator = test.comparisons[0].operator
        if not isinstance(operator, (cst.Is, cst.IsNot, cst.Equal, cst.NotEqual)):
            return None
        missing, test = isinstance(operator, (cst.Is, cst.Equal)), test.left
    test = _strip_await(test)
    if not isinstance(test, cst.Call):
        return None
    if tail_name(test.func) == "exists" and isinstance(test.func, cst.Attribute) \
            and isinstance(_strip_await(test.func.value), cst.Call):
        return _strip_await(test.func.value), missing  # type: ignore[return-value]
    return test, missing


def _names_in(node: cst.CSTNode) -> set[str]:
    return {n.value for n in [node, *walk(node)] if isinstance(n, cst.Name)}


@dataclass
class _Exit:
    node: cst.CSTNode  # the Return/Raise/abort statement (or the load that 404s)
    value: cst.BaseExpression | None
    branch: list[cst.CSTNode]  # statements of the branch before the exit (for flash() messages)
    status: int | None = None
    implied: str | None = None  # "404 from first_or_404()"


class _Function:
    """Statements of one function in order, with their blocks, to walk forward from any of them."""

    def __init__(self, ctx: FileContext, function: cst.FunctionDef) -> None:
        self.ctx = ctx
        self.function = function
        self.parent: dict[int, tuple[cst.CSTNode | None, list[cst.CSTNode], int]] = {}
        self.order: dict[int, int] = {}
        self.statements: list[cst.CSTNode] = []
        self._index(function.body, None)
        for position, node in enumerate([function, *walk(function)]):
            self.order[id(node)] = position
        self.assigned: dict[str, list[tuple[int, cst.BaseExpression]]] = {}
        for statement in self.statements:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    targets: list[cst.BaseExpression] = []
                    value = None
                    if isinstance(small, cst.Assign):
                        targets, value = [t.target for t in small.targets], small.value
                    elif isinstance(small, cst.AnnAssign) and small.value is not None:
                        targets, value = [small.target], small.value
                    for target in targets:
                        if isinstance(target, cst.Name) and value is not None:
                            self.assigned.setdefault(target.value, []).append((self.order[id(small)], value))

    def _index(self, suite: Any, owner: cst.CSTNode | None) -> None:
        body = list(getattr(suite, "body", ()))
        if isinstance(suite, cst.SimpleStatementSuite):
            return
        for index, statement in enumerate(body):
            self.parent[id(statement)] = (owner, body, index)
            self.statements.append(statement)
            if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                continue
            for child in _child_blocks(statement):
                self._index(child, statement)

    def value_before(self, name: str, position: int) -> cst.BaseExpression | None:
        """The value last assigned to ``name`` before ``position`` (source order)."""
        best = None
        for at, value in self.assigned.get(name, ()):
            if at < position:
                best = value
        return best

    def following(self, statement: cst.CSTNode) -> Iterator[cst.CSTNode]:
        """Statements that run after ``statement`` when it completes normally (its block, then enclosing ones)."""
        current: cst.CSTNode | None = statement
        while current is not None and id(current) in self.parent:
            owner, block, index = self.parent[id(current)]
            yield from block[index + 1 :]
            if isinstance(owner, (cst.For, cst.While)):
                return  # a loop's next iteration: too far
            current = owner


def _child_blocks(statement: cst.CSTNode) -> list[Any]:
    suites: list[Any] = []
    for attr in ("body", "finalbody"):
        value = getattr(statement, attr, None)
        if isinstance(value, cst.BaseSuite):
            suites.append(value)
        elif isinstance(value, cst.Finally):
            suites.append(value.body)
    for handler in getattr(statement, "handlers", ()):
        suites.append(handler.body)
    for case in getattr(statement, "cases", ()):
        suites.append(case.body)
    orelse = getattr(statement, "orelse", None)
    while orelse is not None:
        if isinstance(orelse, cst.If):
            suites.append(cst.IndentedBlock(body=[orelse]))
            break
        if isinstance(orelse, cst.Else):
            suites.append(orelse.body)
        break
    return suites


def _exit_of(statement: cst.CSTNode) -> tuple[cst.CSTNode, cst.BaseExpression | None] | None:
    if isinstance(statement, cst.SimpleStatementLine):
        for small in statement.body:
            if isinstance(small, cst.Return):
                return small, small.value
            if isinstance(small, cst.Raise):
                return small, small.exc
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) and \
                    tail_name(small.value.func) in ("abort", "abort_with", "raise_error"):
                return small, small.value
    return None


def _branch_exit(statement: cst.If, body: bool) -> _Exit | None:
    """The first exit of the If's body (``body``) or of its ``else`` (None without one)."""
    if body:
        return _first_exit(list(statement.body.body))[0]
    if isinstance(statement.orelse, cst.Else):
        return _first_exit(list(statement.orelse.body.body))[0]
    return None


def _first_exit(statements: list[cst.CSTNode]) -> tuple[_Exit | None, list[cst.CSTNode]]:
    """The first return/raise/abort in ``statements`` (nested blocks included) and what ran before it."""
    before: list[cst.CSTNode] = []
    for statement in statements:
        found = _exit_of(statement)
        if found is not None:
            return _Exit(found[0], found[1], before), before
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            continue
        if isinstance(statement, cst.SimpleStatementLine):
            before.append(statement)
            continue
        for block in _child_blocks(statement):
            inner, ran = _first_exit(list(getattr(block, "body", ())))
            if inner is not None:
                inner.branch = before + ran
                return inner, before
        before.append(statement)
    return None, before


class UserEnumeration(Rule):
    """What it does: flags login and password-reset flows that look a user up by a
    client-supplied identifier (e-mail, username, phone) and answer "no such user" differently
    from "wrong password" (another message, another status code, a 404 from ``first_or_404``),
    or, in a reset flow, answer "no account with that e-mail" differently from "e-mail sent".
    Handlers, their helpers, and serializers/forms whose errors reach the client are read.

    Why is this bad: the difference tells anyone which e-mail addresses have an account. That
    list feeds credential stuffing and targeted phishing, and on some sites (health, dating,
    legal) the membership itself is sensitive.

    Example:
        user = User.query.filter_by(email=data["email"]).first()
        if user is None:
            return {"msg": "No account with that email"}, 404
        if not user.check_password(data["password"]):
            return {"msg": "Wrong password"}, 401

    Use instead:
        user = User.query.filter_by(email=data["email"]).first()
        if user is None or not user.check_password(data["password"]):
            return {"msg": "Invalid email or password"}, 401
    """

    id = "AR108"
    name = "user-enumeration"
    title = "Login or reset answers reveal which accounts exist"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    cwe = 204
    in_tests = False
    prefilter = (
        re.compile(r"(?i)passw|reset|forgot|recover|authenticat|magic"),
        re.compile(r"(?i)email|user|login|account|phone"),
    )

    VALID = [
        # One answer for an unknown user and a wrong password; an `and` test between them (a lockout).
        "from flask import Flask, abort, request\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
        "    user = User.query.filter_by(email=request.form['email']).first()\n    if user is None:\n        abort(401)\n"
        "    if user.locked and user.failures > 3:\n        abort(423)\n"
        "    if not user.check_password(request.form['password']):\n        abort(401)\n    return 'ok'\n",
        # One answer for both failures.
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
        "    user = User.query.filter_by(email=request.json['email']).first()\n"
        "    if user is None or not user.check_password(request.json['password']):\n"
        "        return {'msg': 'Invalid email or password'}, 401\n    return {'ok': True}\n",
        # Separate branches, same answer (and a dummy hash check for timing).
        "from fastapi import APIRouter, HTTPException\nrouter = APIRouter()\n@router.post('/login')\n"
        "def login(body: LoginBody, session: SessionDep):\n"
        "    user = session.scalars(select(User).where(User.email == body.email)).first()\n"
        "    if user is None:\n        verify_password(body.password, DUMMY_HASH)\n"
        "        raise HTTPException(401, 'Incorrect email or password')\n"
        "    if not verify_password(body.password, user.hashed_password):\n"
        "        raise HTTPException(401, 'Incorrect email or password')\n    return issue(user)\n",
        # A shared error object.
        "from fastapi import APIRouter, HTTPException\nrouter = APIRouter()\n@router.post('/login')\n"
        "def login(body: LoginBody, session: SessionDep):\n    invalid = HTTPException(401, 'Invalid credentials')\n"
        "    user = get_user_by_email(session, body.email)\n    if not user:\n        raise invalid\n"
        "    if not verify_password(body.password, user.hashed_password):\n        raise invalid\n    return issue(user)\n",
        # Reset: same answer whether or not the account exists.
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/password/forgot')\ndef forgot():\n"
        "    user = User.query.filter_by(email=request.json['email']).first()\n    if user is not None:\n"
        "        send_password_reset(user)\n    return {'msg': 'If that address has an account, a link is on its way.'}, 202\n",
        # Sign-up saying an e-mail is taken is outside this rule (no secret is checked).
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/signup')\ndef signup():\n"
        "    if User.query.filter_by(email=request.json['email']).first() is not None:\n"
        "        return {'msg': 'Email already registered'}, 409\n    return create(request.json)\n",
        # A disabled account is reported only after the password matched.
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
        "    user = User.query.filter_by(email=request.form['email']).first()\n"
        "    if user is None or not user.check_password(request.form['password']):\n        return 'Invalid', 401\n"
        "    if not user.is_active:\n        return 'Account suspended', 403\n    return 'ok'\n",
        # Sign-up forms say an address is taken (the opposite test); login forms with one generic error.
        "from wtforms.validators import ValidationError\nclass RegistrationForm(FlaskForm):\n"
        "    def validate_email(self, email):\n        if User.query.filter_by(email=email.data).first():\n"
        "            raise ValidationError('That email is taken.')\n"
        "class LoginForm(FlaskForm):\n    def validate_email(self, email):\n"
        "        user = User.query.filter_by(email=email.data).first()\n        if user is None:\n"
        "            raise ValidationError('Invalid email or password.')\n",
        # The user comes from the session, not from a client-supplied identifier.
        "from flask import Flask, request, session\napp = Flask(__name__)\n@app.post('/confirm')\ndef confirm():\n"
        "    user = User.query.get(session['user_id'])\n    if user is None:\n        return 'Session expired', 401\n"
        "    if not user.check_password(request.form['password']):\n        return 'Wrong password', 400\n    return 'ok'\n",
    ]
    INVALID = [
        Invalid(
            "from flask import Flask, jsonify, request\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
            "    data = request.get_json()\n    user = User.query.filter_by(email=data['email']).first()\n"
            "    if user is None:\n        return jsonify(msg='No account with that email'), 404\n"
            "    if not user.check_password(data['password']):\n        return jsonify(msg='Wrong password'), 401\n"
            "    return jsonify(token=issue(user))\n",
        ),
        # Django: the lookup raises, the except branch answers differently.
        Invalid(
            "from django.contrib.auth import get_user_model\nfrom django.contrib.auth.hashers import check_password\n"
            "from django.shortcuts import render\nUser = get_user_model()\n"
            "def login_view(request):\n    try:\n        user = User.objects.get(username=request.POST['username'])\n"
            "    except User.DoesNotExist:\n        return render(request, 'login.html', {'error': 'Unknown username'})\n"
            "    if not check_password(request.POST['password'], user.password):\n"
            "        return render(request, 'login.html', {'error': 'Incorrect password'})\n    return do_login(request, user)\n",
        ),
        # Reset flow: "no account" vs "sent".
        Invalid(
            "from rest_framework.decorators import api_view\nfrom rest_framework.response import Response\n"
            "@api_view(['POST'])\ndef forgot_password(request):\n"
            "    user = User.objects.filter(email__iexact=request.data['email']).first()\n"
            "    if user is None:\n        return Response({'detail': 'No user with this email.'}, status=404)\n"
            "    send_password_reset_email(user)\n    return Response({'detail': 'Reset link sent.'})\n",
        ),
        # A 404 from first_or_404 before the password check.
        Invalid(
            "from flask import Flask, request, abort\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
            "    user = User.query.filter_by(username=request.form['username']).first_or_404()\n"
            "    if not user.check_password(request.form['password']):\n        abort(401)\n    return 'ok'\n",
        ),
        # A reset form's validator: the known address passes, the unknown one gets its own error.
        Invalid(
            "from flask_wtf import FlaskForm\nfrom wtforms.validators import ValidationError\n"
            "class RequestResetForm(FlaskForm):\n    def validate_email(self, email):\n"
            "        user = User.query.filter_by(email=email.data).first()\n        if user is None:\n"
            "            raise ValidationError('There is no account with that email. You must register first.')\n",
        ),
        # A DRF serializer: its validation errors are the response.
        Invalid(
            "from rest_framework import serializers\n"
            "class LoginSerializer(serializers.Serializer):\n"
            "    def validate(self, attrs):\n"
            "        user = User.objects.filter(email=attrs['email']).first()\n"
            "        if not user:\n            raise serializers.ValidationError('No account found with this email.')\n"
            "        if not user.check_password(attrs['password']):\n"
            "            raise serializers.ValidationError('Incorrect password.')\n"
            "        attrs['user'] = user\n        return attrs\n",
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._functions: list[cst.FunctionDef] = []
        self._owners: dict[int, str] = {}  # method -> its class's name

    # The engine's one walk collects what this rule needs; the analysis runs once it is done.
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        for statement in node.body.body:
            if isinstance(statement, cst.FunctionDef):
                self._owners[id(statement)] = node.name.value

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._functions.append(node)

    def finish(self) -> None:
        ctx = self.ctx
        by_function: dict[int, list[Endpoint]] = {}
        for endpoint in endpoints(ctx):
            by_function.setdefault(id(endpoint.function), []).append(endpoint)
        owners = self._owners
        for function in self._functions:
            flow_words = set(split_words(f"{owners.get(id(function), '')} {function.name.value}"))
            if not flow_words & _FLOW_WORDS and not _FLOW_TEXT.search(_words_in(function.body)):
                continue
            found = by_function.get(id(function), [])
            if any(signed_in(e) for e in found):
                continue  # only signed-in callers (an admin looking users up): nothing to enumerate
            self._check(function, found[0] if found else None, owners.get(id(function)))

    def _check(self, function: cst.FunctionDef, endpoint: Endpoint | None, owner: str | None = None) -> None:
        ctx = self.ctx
        framework = endpoint.framework if endpoint is not None else Framework.FLASK
        flow = HandlerFlow.build(ctx, function, framework)
        index = _Function(ctx, function)
        lookups = self._lookups(index, flow, endpoint)
        if not lookups:
            return
        label = markup.code(self._label(endpoint, function))
        reported: set[int] = set()
        for name, statement, value in lookups:
            missing = self._missing_exit(index, name, statement, value)
            if missing is None or id(missing.node) in reported:
                continue
            if endpoint is None and not self._client_facing(missing):
                continue
            other, what = self._other_exit(index, name, statement, missing)
            if other is None:
                flow_words = set(split_words(f"{owner or ''} {function.name.value}"))
                if endpoint is None and flow_words & _FLOW_WORDS and self._client_facing(missing):
                    # A form/serializer validator of a login or reset form: the known account simply passes.
                    messages = self._messages(index, missing, self._resolve(index, missing))
                    generic = any(set(split_words(m)) & {"password", "credentials", "credential", "or"}
                                  for m in messages)  # "Invalid e-mail or password": the same for both
                    if any(" " in m for m in messages) and not generic:
                        where = f"{owner}.{function.name.value}()" if owner else f"{function.name.value}()"
                        reported.add(id(missing.node))
                        self.report(missing.node,
                                    f"{markup.code(where)} rejects an unknown account with "
                                    f"{self._describe(None, messages, missing)} while a known one passes: the "
                                    f"error tells anyone which accounts exist; accept every address and answer "
                                    f"the same way (\"if an account exists, we sent a link\")")
                continue
            if endpoint is None and not self._client_facing(other):
                continue
            difference = self._difference(index, missing, other)
            if difference is None:
                continue
            reported.add(id(missing.node))
            self.report(missing.node,
                        f"{label} answers an unknown account with {difference[0]} but {what} with {difference[1]}: "
                        f"the difference tells anyone which accounts exist; give both cases the same message and "
                        f"status")

    def _label(self, endpoint: Endpoint | None, function: cst.FunctionDef) -> str:
        return endpoint_label(self.ctx, endpoint) if endpoint is not None else f"{function.name.value}()"

    # --- the lookup -------------------------------------------------------------------------
    def _lookups(self, index: _Function, flow: Any, endpoint: Endpoint | None) -> list[tuple[str, cst.CSTNode, cst.BaseExpression]]:
        found = []
        for statement in index.statements:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                target = value = None
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target, value = small.targets[0].target, small.value
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    target, value = small.target, small.value
                if isinstance(target, cst.Name) and value is not None and self._is_user_lookup(flow, value):
                    found.append((target.value, statement, value))
        for statement in index.statements:
            if isinstance(statement, cst.If):
                inline = _inline_lookup(statement.test)
                if inline is not None and self._is_user_lookup(flow, inline[0]):
                    found.append(("", statement, inline[0]))  # if not User.objects.filter(email=...).exists():
        return found

    def _is_user_lookup(self, flow: Any, value: cst.BaseExpression) -> bool:
        value = _strip_await(value)
        if not isinstance(value, cst.Call):
            return False
        load = flow.load(value)
        if load is not None:
            model_userish = bool(load.model and set(split_words(load.model)) & _PRINCIPAL_WORDS)
            for key in load.keys:
                field_name = key.field.split("__")[0].lower()
                if not (field_name in _IDENT_FIELDS or (model_userish and field_name not in ("id", "pk", "_id"))):
                    continue
                if flow.is_client(key.value):
                    return True
            return False
        words = set(split_words(callee_text(value.func)))
        tail_words = set(split_words(tail_name(value.func)))
        if words & _PRINCIPAL_WORDS and tail_words & (_LOOKUP_VERBS | {"one", "first"}) \
                and not words & {"current", "me", "session", "request"}:
            return any(flow.is_client(arg.value) for arg in value.args)  # get_user_by_email(db, body.email)
        return False

    # --- the branches -------------------------------------------------------------------------
    def _missing_exit(self, index: _Function, name: str, statement: cst.CSTNode,
                      value: cst.BaseExpression) -> _Exit | None:
        """How the function answers when the lookup finds nobody."""
        if not name and isinstance(statement, cst.If):
            inline = _inline_lookup(statement.test)
            if inline is None:
                return None
            return _branch_exit(statement, inline[1])
        call = _strip_await(value)
        tail = tail_name(call.func) if isinstance(call, cst.Call) else ""
        if tail in ("first_or_404", "get_or_404", "one_or_404", "get_object_or_404", "aget_object_or_404"):
            description = FileContext.keyword(call, "description") if isinstance(call, cst.Call) else None
            exit_ = _Exit(statement, description.value if description is not None else None, [], 404,
                          f"404 from {markup.code(f'{tail}()')}")
            return exit_
        owner = index.parent.get(id(statement), (None, [], 0))[0]
        if isinstance(owner, cst.Try):
            for handler in owner.handlers:
                names = {n.value for n in walk(handler.type)} if handler.type is not None else set()
                if names & _MISSING_EXCEPTIONS:
                    found, _ = _first_exit(list(handler.body.body))
                    if found is not None:
                        return found
        start = index.order[id(statement)]
        for candidate in index.statements:
            if not isinstance(candidate, cst.If) or index.order[id(candidate)] <= start:
                continue
            if index.value_before(name, index.order[id(candidate)]) is not value:
                continue  # reassigned in between
            polarity = self._missing_polarity(candidate.test, name)
            if polarity is None:
                continue
            found = _branch_exit(candidate, polarity)
            if found is not None:
                return found
        return None

    def _missing_polarity(self, test: cst.BaseExpression, name: str) -> bool | None:
        """True: the If's body runs for a missing user; False: its else does. Combined with a secret check: None."""
        direct = _is_missing_test(test, name)
        if direct is not None:
            return direct
        if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
            parts = _or_parts(test)
            if any(self._mentions_secret(p) for p in parts):
                return None
            if any(_is_missing_test(p, name) is True for p in parts):
                return True  # ``if user is None or not user.is_active``: still fires for a missing user
        return None

    def _mentions_secret(self, expr: cst.BaseExpression) -> bool:
        ctx = self.ctx
        for node in [expr, *walk(expr)]:
            if isinstance(node, cst.Call) and secret_check_kind(ctx, node):
                return True
            if isinstance(node, cst.Comparison) and _secret_comparison(ctx, node):
                return True
        return False

    def _other_exit(self, index: _Function, name: str, statement: cst.CSTNode,
                    missing: _Exit) -> tuple[_Exit | None, str]:
        """The wrong-password answer (login flow) or the e-mail-sent answer (reset flow)."""
        ctx = self.ctx
        start = index.order[id(statement)]
        secret_vars: set[str] = set()
        for candidate in index.statements:
            position = index.order[id(candidate)]
            if position <= start:
                continue
            if isinstance(candidate, cst.SimpleStatementLine):
                for small in candidate.body:
                    if isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is not None:
                        value = _strip_await(small.value)
                        if isinstance(value, cst.Call) and secret_check_kind(ctx, value) == "password":
                            targets = small.targets if isinstance(small, cst.Assign) else [small]
                            for target in targets:
                                if isinstance(target.target, cst.Name):
                                    secret_vars.add(target.target.value)
                continue
            if not isinstance(candidate, cst.If):
                continue
            polarity = self._secret_polarity(candidate.test, secret_vars)
            if polarity is None:
                continue
            found = _branch_exit(candidate, polarity)
            if not polarity and not isinstance(candidate.orelse, cst.Else):  # no else: what follows the If answers
                for following in index.following(candidate):
                    found, _ = _first_exit([following])
                    if found is not None:
                        break
            if found is not None and found.node is not missing.node:
                return found, "a wrong password"
        # A reset flow: the answer after the reset is sent.
        for candidate in index.statements:
            if index.order[id(candidate)] <= start:
                continue
            for node in [candidate, *walk(candidate)] if isinstance(candidate, cst.SimpleStatementLine) else []:
                if isinstance(node, cst.Call) and (sends_reset(ctx, node) or self._reset_mail(index, node)):
                    passed: list[cst.CSTNode] = [candidate]
                    for following in index.following(candidate):
                        found, _ = _first_exit([following])
                        if found is not None:
                            found.branch = [*passed, *found.branch]
                            return found, "a known one"
                        passed.append(following)
                    return None, ""
        return None, ""

    def _reset_mail(self, index: _Function, call: cst.Call) -> bool:
        words = set(split_words(index.function.name.value))
        return bool(words & (_RESET_WORDS | {"magic"})) and _is_mail_call(call)

    def _secret_polarity(self, test: cst.BaseExpression, secret_vars: set[str]) -> bool | None:
        """True: the If's body runs when the secret is wrong; False: when it is right; None: no secret here."""
        negated = False
        expr = test
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Not):
            negated, expr = True, expr.expression
        if isinstance(expr, cst.BooleanOperation):
            parts = _or_parts(expr) if isinstance(expr.operator, cst.Or) else [expr.left, expr.right]
            if any(self._secret_polarity(p, secret_vars) for p in parts):
                return True if not negated else None
            return None
        if isinstance(expr, cst.Call) and secret_check_kind(self.ctx, _strip_await(expr)) == "password":
            return negated
        if isinstance(expr, cst.Await) and isinstance(expr.expression, cst.Call) and \
                secret_check_kind(self.ctx, expr.expression) == "password":
            return negated
        if isinstance(expr, cst.Name) and expr.value in secret_vars:
            return negated
        if isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1:
            left, op = expr.left, expr.comparisons[0].operator
            right = expr.comparisons[0].comparator
            if isinstance(left, cst.Name) and left.value in secret_vars and isinstance(right, cst.Name) \
                    and right.value in ("None", "False"):
                wrong = isinstance(op, (cst.Is, cst.Equal))
                return wrong if not negated else not wrong
            kind = _secret_comparison(self.ctx, expr)
            if kind == "password":
                wrong = isinstance(op, cst.NotEqual)
                return wrong if not negated else not wrong
        return None

    # --- comparing answers --------------------------------------------------------------------
    def _client_facing(self, exit_: _Exit) -> bool:
        if exit_.implied:
            return True
        value = exit_.value
        if isinstance(exit_.node, cst.Expr):
            return True  # abort(...)
        if isinstance(value, cst.Call):
            tail = tail_name(value.func)
            return tail in _HTTP_EXCEPTIONS or bool(_RESPONSE_CALLS.search(tail))
        if isinstance(value, cst.Tuple) and value.elements and isinstance(value.elements[0].value, cst.Call):
            return bool(_RESPONSE_CALLS.search(tail_name(value.elements[0].value.func)))
        return False

    def _resolve(self, index: _Function, exit_: _Exit) -> cst.BaseExpression | None:
        value = exit_.value
        if isinstance(value, cst.Name):
            bound = index.value_before(value.value, index.order.get(id(exit_.node), 0))
            if bound is not None:
                return bound
        return value

    def _status(self, value: cst.BaseExpression | None) -> int | None:
        ctx = self.ctx
        if value is None:
            return None
        if isinstance(value, cst.Tuple) and len(value.elements) >= 2:
            return _status_literal(ctx, value.elements[1].value)
        if isinstance(value, cst.Call):
            for keyword in ("status", "status_code", "code"):
                arg = ctx.keyword(value, keyword)
                if arg is not None:
                    return _status_literal(ctx, arg.value)
            tail = tail_name(value.func)
            if tail in ("abort", "HTTPException", "HTTPError", "HttpError") and value.args \
                    and value.args[0].keyword is None:
                return _status_literal(ctx, value.args[0].value)
            if tail in ("make_response", "Response", "JSONResponse", "PlainTextResponse", "HTMLResponse") \
                    and len(value.args) >= 2 and value.args[1].keyword is None:
                found = _status_literal(ctx, value.args[1].value)
                if found is not None:
                    return found
            if tail in _IMPLIED_STATUS:
                return _IMPLIED_STATUS[tail]
        return None

    def _messages(self, index: _Function, exit_: _Exit, value: cst.BaseExpression | None) -> tuple[str, ...]:
        ctx = self.ctx
        found: list[str] = []

        def strings(node: cst.CSTNode | None) -> None:
            if node is None:
                return
            skip: set[int] = set()
            for child in [node, *walk(node)]:
                if isinstance(child, cst.DictElement):
                    skip.add(id(child.key))
                if id(child) in skip:
                    continue
                if isinstance(child, (cst.SimpleString, cst.ConcatenatedString)):
                    text = ctx.string(child)
                    if text is not None:
                        found.append(text)
                elif isinstance(child, cst.FormattedString):
                    found.append("".join(p.value if isinstance(p, cst.FormattedStringText) else "{}"
                                         for p in child.parts))
                elif isinstance(child, cst.Name) and child is not node and index.value_before(
                        child.value, index.order.get(id(exit_.node), 0)) is not None:
                    bound = index.value_before(child.value, index.order.get(id(exit_.node), 0))
                    if isinstance(bound, (cst.Dict, cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
                        strings(bound)

        strings(value)
        for statement in exit_.branch:
            for child in walk(statement):
                if isinstance(child, cst.Call) and (tail_name(child.func) in _MESSAGE_CALLS or (
                        tail_name(child.func) in ("append", "extend", "add")
                        and {"errors", "error", "messages"} & set(split_words(callee_text(child.func))))):
                    strings(child)
        return tuple(sorted(set(found)))

    def _difference(self, index: _Function, missing: _Exit, other: _Exit) -> tuple[str, str] | None:
        ctx = self.ctx
        missing_value = self._resolve(index, missing)
        other_value = self._resolve(index, other)
        same_code = missing_value is not None and other_value is not None and \
            ctx.code(missing_value) == ctx.code(other_value)
        missing_messages = self._messages(index, missing, missing_value)
        other_messages = self._messages(index, other, other_value)
        if same_code and missing_messages == other_messages and not missing.implied:
            return None
        missing_status = missing.status if missing.implied else self._status(missing_value)
        other_status = self._status(other_value)
        if missing_status is not None and other_status is not None and missing_status != other_status:
            return self._describe(missing_status, missing_messages, missing), \
                self._describe(other_status, other_messages, other)
        if missing_messages and other_messages and missing_messages != other_messages:
            return self._describe(missing_status, missing_messages, missing), \
                self._describe(other_status, other_messages, other)
        return None

    def _describe(self, status: int | None, messages: tuple[str, ...], exit_: _Exit) -> str:
        if exit_.implied:
            return exit_.implied
        message = max(messages, key=lambda m: (" " in m, len(m))) if messages else ""
        if len(message) > 60:
            message = message[:57] + "..."
        parts = [str(status)] if status is not None else []
        if message and " " in message:
            parts.append(markup.code(f'"{message}"'))
        elif exit_.value is not None:
            code = " ".join(self.ctx.code(exit_.value).split())
            parts.append(markup.code(code if len(code) <= 60 else code[:57] + '...'))
        return " ".join(parts) if parts else "another response"


def _or_parts(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
        return _or_parts(expr.left) + _or_parts(expr.right)
    return [expr]


def _status_literal(ctx: FileContext, node: cst.BaseExpression) -> int | None:
    value = ctx.literal(node)
    if isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599:
        return value
    text = dotted_name(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
    if text:
        match = re.search(r"HTTP_(\d{3})", text)
        if match:
            return int(match.group(1))
        last = text.rsplit(".", 1)[-1]
        if last in _HTTP_STATUS_NAMES and ("HTTPStatus" in text or "status" in text.lower()):
            return _HTTP_STATUS_NAMES[last]
    return None
