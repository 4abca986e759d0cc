"""AR209 refresh-token-not-rotated: Refresh token stays valid after use."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from ... import markup
from ...context import UNKNOWN, FileContext
from ...findings import Confidence, Severity
from ...frameworks import (
    HandlerFlow,
    definition,
    django_settings,
    endpoint_label,
    endpoints,
)
from ...rule import Invalid, Rule
from ...walk import walk
from ...words import split_words
from ._shared import resolved_subscript_key, short_code, with_parents

_MINT_VERBS = frozenset({"create", "generate", "issue", "encode", "make", "new", "mint", "sign", "build", "grant"})
_REVOKE_WORDS = frozenset({"revoke", "revoked", "revoking", "revocation", "blocklist", "blocklisted", "blacklist",
                           "blacklisted", "denylist", "denylisted", "invalidate", "invalidated", "rotate", "rotated",
                           "consume", "consumed"})
_REVOKE_FIELDS = frozenset({"revoked", "revoked_at", "is_revoked", "used", "used_at", "is_used", "replaced_by",
                            "replaced_by_id", "consumed", "consumed_at", "invalidated", "invalidated_at",
                            "blacklisted", "blacklisted_at", "rotated_at", "revoked_on"})
_DEACTIVATE_FIELDS = frozenset({"is_active", "active", "valid", "is_valid", "enabled"})
_DELETE_TAILS = frozenset({"delete", "adelete", "delete_one", "delete_many", "remove", "srem", "hdel", "unlink",
                           "discard", "destroy", "expire_token"})
_QUERY_PREFIXES = frozenset({"is", "has", "check", "was", "in", "get", "verify", "validate", "ensure", "assert",
                             "lookup", "find", "fetch"})
_DECODERS = frozenset({"decode", "verify", "validate", "parse", "load", "loads", "unsign", "check", "introspect",
                       "read", "authenticate"})
_SIMPLEJWT_REFRESH = ("rest_framework_simplejwt.tokens.RefreshToken", "rest_framework_simplejwt.tokens.SlidingToken")


@dataclass
class _RefreshEffects:
    presented: str | None = None  # how the handler receives a refresh token
    simplejwt_vars: set[str] = field(default_factory=set)  # locals holding a simplejwt RefreshToken(<presented>)
    mint_access: cst.CSTNode | None = None
    mint_refresh: cst.CSTNode | None = None
    revoke: cst.CSTNode | None = None
    stock_serializer: cst.CSTNode | None = None  # simplejwt's TokenRefreshSerializer: the settings decide

    def merge_minting(self, other: _RefreshEffects, at: cst.CSTNode) -> None:
        self.mint_access = self.mint_access or (at if other.mint_access is not None else None)
        self.mint_refresh = self.mint_refresh or (at if other.mint_refresh is not None else None)
        self.revoke = self.revoke or (at if other.revoke is not None else None)


def _in_condition(parents: tuple[cst.CSTNode, ...], node: cst.CSTNode) -> bool:
    """Inside an ``if``/``while`` test or an ``assert``: a check, not an action."""
    chain = (*parents, node)
    for i, parent in enumerate(chain[:-1]):
        child = chain[i + 1]
        if isinstance(parent, (cst.If, cst.While)) and child is parent.test:
            return True
        if isinstance(parent, (cst.Assert, cst.Comparison, cst.UnaryOperation, cst.BooleanOperation)):
            return True
    return False


class RefreshTokenNotRotated(Rule):
    """What it does: flags refresh endpoints (``@jwt_required(refresh=True)``, a handler that
    decodes or looks up a client's refresh token, simplejwt ``RefreshToken(request.data[...])``)
    that mint a new access token but leave the presented refresh token valid: they neither
    revoke it (blocklist its ``jti``, delete or mark the stored row, ``.blacklist()``) nor
    replace it. Django projects that route simplejwt's stock ``TokenRefreshView`` are flagged
    when their ``SIMPLE_JWT`` settings do not set both ``ROTATE_REFRESH_TOKENS`` and
    ``BLACKLIST_AFTER_ROTATION``.

    Why is this bad: a refresh token is a long-lived credential. If it is never rotated, one
    copy stolen from a device, a log or a proxy keeps minting access tokens until it expires,
    days later, and the server cannot tell the thief from the user. Rotation with revocation
    makes every refresh token single-use, so a replayed one is detected and the family revoked.

    Example:
        @auth_bp.post("/token/refresh")
        @jwt_required(refresh=True)
        def refresh():
            return jsonify(access_token=create_access_token(identity=get_jwt_identity()))

    Use instead:
        @auth_bp.post("/token/refresh")
        @jwt_required(refresh=True)
        def refresh():
            identity = get_jwt_identity()
            db.session.add(TokenBlocklist(jti=get_jwt()["jti"]))
            db.session.commit()
            return jsonify(access_token=create_access_token(identity=identity),
                           refresh_token=create_refresh_token(identity=identity))
    """

    id = "AR209"
    name = "refresh-token-not-rotated"
    title = "Refresh token stays valid after use"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    cwe = 613
    in_tests = False
    prefilter = (re.compile(r"(?i)refresh"), re.compile(r"(?i)token|jwt"))

    VALID = [
        # Rotates: the presented token's jti is blocklisted and a new pair is issued.
        "from flask import Blueprint, jsonify\n"
        "from flask_jwt_extended import create_access_token, create_refresh_token, get_jwt, get_jwt_identity, jwt_required\n"
        "bp = Blueprint('auth', __name__)\n@bp.post('/refresh')\n@jwt_required(refresh=True)\ndef refresh():\n"
        "    identity = get_jwt_identity()\n    db.session.add(TokenBlocklist(jti=get_jwt()['jti']))\n    db.session.commit()\n"
        "    return jsonify(access_token=create_access_token(identity=identity),\n"
        "                   refresh_token=create_refresh_token(identity=identity))\n",
        # Opaque refresh tokens in the database: the old row is marked revoked.
        "from fastapi import APIRouter, HTTPException\nrouter = APIRouter()\n@router.post('/refresh')\n"
        "def refresh(body: RefreshIn, session: SessionDep):\n"
        "    stored = session.scalars(select(RefreshToken).where(RefreshToken.token_hash == digest(body.refresh_token))).first()\n"
        "    if stored is None or stored.revoked_at is not None:\n        raise HTTPException(401)\n"
        "    stored.revoked_at = now()\n    new_refresh = secrets.token_urlsafe(32)\n"
        "    session.add(RefreshToken(token_hash=digest(new_refresh), user_id=stored.user_id))\n    session.commit()\n"
        "    return {'access_token': create_access_token(stored.user_id), 'refresh_token': new_refresh}\n",
        # simplejwt: the presented token is blacklisted.
        "from rest_framework.views import APIView\nfrom rest_framework.response import Response\n"
        "from rest_framework_simplejwt.tokens import RefreshToken\n"
        "class Refresh(APIView):\n    def post(self, request):\n        old = RefreshToken(request.data['refresh'])\n"
        "        user = User.objects.get(id=old['user_id'])\n        old.blacklist()\n        new = RefreshToken.for_user(user)\n"
        "        return Response({'access': str(new.access_token), 'refresh': str(new)})\n",
        # A login issues tokens; it is not a refresh endpoint.
        "from flask import Flask, request, jsonify\nfrom flask_jwt_extended import create_access_token, create_refresh_token\n"
        "app = Flask(__name__)\n@app.post('/login')\ndef login():\n    user = check(request.json)\n"
        "    return jsonify(access_token=create_access_token(user.id), refresh_token=create_refresh_token(user.id))\n",
        # Logout with the refresh token revokes it and mints nothing.
        "from rest_framework.views import APIView\nfrom rest_framework_simplejwt.tokens import RefreshToken\n"
        "class Logout(APIView):\n    def post(self, request):\n        RefreshToken(request.data['refresh']).blacklist()\n"
        "        return Response(status=205)\n",
        # ORM refresh() is not a token.
        "from flask import Flask\nfrom flask_jwt_extended import jwt_required, create_access_token\napp = Flask(__name__)\n"
        "@app.post('/items/<int:i>')\n@jwt_required()\ndef touch(i):\n    item = db.session.get(Item, i)\n"
        "    db.session.refresh(item)\n    return {'ok': True}\n",
    ]
    INVALID = [
        Invalid(
            "from flask import Blueprint, jsonify\nfrom flask_jwt_extended import create_access_token, get_jwt_identity, jwt_required\n"
            "bp = Blueprint('auth', __name__)\n@bp.post('/token/refresh')\n@jwt_required(refresh=True)\ndef refresh():\n"
            "    return jsonify(access_token=create_access_token(identity=get_jwt_identity()))\n",
        ),
        # PyJWT, hand-rolled: the same refresh token is handed back.
        Invalid(
            "import jwt\nfrom fastapi import APIRouter\nrouter = APIRouter()\n@router.post('/auth/refresh')\n"
            "def refresh(body: RefreshRequest):\n"
            "    claims = jwt.decode(body.refresh_token, SECRET, algorithms=['HS256'])\n"
            "    access = jwt.encode({'sub': claims['sub'], 'exp': soon()}, SECRET, algorithm='HS256')\n"
            "    return {'access_token': access, 'refresh_token': body.refresh_token}\n",
        ),
        # simplejwt, bypassing the serializer.
        Invalid(
            "from rest_framework.views import APIView\nfrom rest_framework.response import Response\n"
            "from rest_framework_simplejwt.tokens import RefreshToken\n"
            "class MobileRefresh(APIView):\n    def post(self, request):\n        refresh = RefreshToken(request.data['refresh'])\n"
            "        return Response({'access': str(refresh.access_token)})\n",
        ),
        # A new refresh token, but the presented one stays valid too.
        Invalid(
            "from flask import Flask, jsonify\n"
            "from flask_jwt_extended import create_access_token, create_refresh_token, get_jwt_identity, jwt_required\n"
            "app = Flask(__name__)\n@app.post('/refresh')\n@jwt_required(refresh=True)\ndef refresh():\n"
            "    identity = get_jwt_identity()\n"
            "    return jsonify(access_token=create_access_token(identity=identity),\n"
            "                   refresh_token=create_refresh_token(identity=identity))\n",
        ),
        # A service function behind the route.
        Invalid(
            "import jwt\nfrom app.security import create_access_token\n"
            "def refresh_access_token(refresh_token: str) -> str:\n"
            "    claims = jwt.decode(refresh_token, KEY, algorithms=['HS256'])\n"
            "    if claims.get('type') != 'refresh':\n        raise InvalidToken()\n"
            "    return create_access_token(claims['sub'])\n",
        ),
    ]

    def visit_Module(self, node: cst.Module) -> None:
        ctx = self.ctx
        found = endpoints(ctx)
        handled: set[int] = set()
        self._covered: set[int] = set()  # helpers read as part of an endpoint
        for endpoint in found:
            function = endpoint.function
            if id(function) in handled:
                continue
            handled.add(id(function))
            effects = self._effects(function, endpoint, 0)
            self._judge(function, effects, markup.code(endpoint_label(ctx, endpoint)))
        for function in walk(node):
            if not isinstance(function, cst.FunctionDef) or id(function) in handled or id(function) in self._covered:
                continue
            if "refresh" not in split_words(function.name.value):
                continue
            effects = self._effects(function, None, 0)
            self._judge(function, effects, markup.code(f'{function.name.value}()'), helper=True)
        self._stock_views()

    # --- what a function does -------------------------------------------------------------
    def _effects(self, function: cst.FunctionDef, endpoint: Any, depth: int) -> _RefreshEffects:
        ctx = self.ctx
        effects = _RefreshEffects()
        if depth == 0:
            for decorator in function.decorators:
                expr = decorator.decorator
                target = expr.func if isinstance(expr, cst.Call) else expr
                qual = ctx.qualname(target)
                tail = qual.rsplit(".", 1)[-1] if qual else _tail(target)  # through ``import ... as``
                if tail in ("jwt_refresh_token_required", "refresh_jwt_required", "jwt_refresh_required") or (
                        tail in ("jwt_required", "verify_jwt_in_request") and isinstance(expr, cst.Call)
                        and _literal_true(ctx, ctx.argument(expr, "refresh"))):
                    effects.presented = markup.code(f'@{ctx.code(expr)}')
            params = (*function.params.params, *function.params.kwonly_params)
            if endpoint is None and any("refresh" in split_words(p.name.value) for p in params):
                effects.presented = effects.presented or "its refresh token parameter"
        for child, parents in with_parents(function.body):
            if isinstance(child, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                continue
            if isinstance(child, cst.Call):
                self._call_effects(child, parents, effects, depth)
            elif isinstance(child, (cst.Assign, cst.AugAssign)):
                self._assign_effects(child, effects)
            elif isinstance(child, cst.Del):
                effects.revoke = effects.revoke or child
            elif isinstance(child, cst.Attribute) and child.attr.value == "access_token" \
                    and isinstance(child.value, cst.Name) and child.value.value in effects.simplejwt_vars:
                effects.mint_access = effects.mint_access or child
        if depth == 0 and effects.presented is None and endpoint is not None:
            effects.presented = self._client_refresh(function, endpoint)
        return effects

    def _call_effects(self, call: cst.Call, parents: tuple[cst.CSTNode, ...], effects: _RefreshEffects,
                      depth: int) -> None:
        ctx = self.ctx
        func = call.func
        qual = ctx.qualname(func) or ""
        tail = qual.rsplit(".", 1)[-1].removesuffix("()") if qual else _tail(func)
        tail_words = split_words(tail)
        callee_words = set(split_words(ctx.code(func))) if isinstance(func, (cst.Name, cst.Attribute)) else set(tail_words)
        arg_words: set[str] = set()
        literals: set[str] = set()
        for arg in call.args:
            arg_words |= set(split_words(ctx.code(arg.value)))
            if arg.keyword is not None:
                arg_words |= set(split_words(arg.keyword.value))
            value = ctx.string(arg.value)
            if value is None and isinstance(arg.value, cst.FormattedString):  # f"revoked:{jti}"
                value = "".join(p.value for p in arg.value.parts if isinstance(p, cst.FormattedStringText))
            if value is not None:
                literals.add(value.lower())
        # -- the presented refresh token
        if tail in ("verify_jwt_in_request",) and _literal_true(ctx, ctx.argument(call, "refresh")) \
                or tail in ("jwt_refresh_token_required", "verify_refresh_token_in_request"):
            effects.presented = effects.presented or markup.code(ctx.code(call))
        if qual in _SIMPLEJWT_REFRESH and call.args and not qual.endswith("for_user"):
            effects.presented = effects.presented or markup.code(ctx.code(call))
            parent = parents[-1] if parents else None
            if isinstance(parent, cst.Assign):
                for target in parent.targets:
                    if isinstance(target.target, cst.Name):
                        effects.simplejwt_vars.add(target.target.value)
            elif isinstance(parent, cst.Attribute) and parent.attr.value == "access_token":
                effects.mint_access = effects.mint_access or parent
        if tail == "TokenRefreshSerializer" or qual.endswith("TokenRefreshSerializer"):
            effects.stock_serializer = effects.stock_serializer or call
        if set(tail_words) & _DECODERS and not set(tail_words) & _MINT_VERBS and (
                "refresh" in arg_words or "refresh" in literals):
            effects.presented = effects.presented or markup.code(short_code(ctx.code(call)))
        # -- minting
        words = set(tail_words)
        tokenish = bool(words & {"token", "jwt", "tokens"})
        if qual.endswith(("AccessToken.for_user",)) or (
                words & _MINT_VERBS and tokenish and not words & {"refresh", "tokens", "pair", "reset", "csrf",
                                                                   "api", "invite", "verification"}):
            effects.mint_access = effects.mint_access or call  # create_access_token(...), issue_token(user)
        if qual.endswith(("RefreshToken.for_user", "SlidingToken.for_user")) or (
                "refresh" in words and words & _MINT_VERBS and tokenish and "access" not in words):
            effects.mint_refresh = effects.mint_refresh or call
        if qual in ("jwt.encode", "jose.jwt.encode", "authlib.jose.jwt.encode", "jwt.api_jwt.encode") or (
                tail == "encode" and "jwt" in callee_words):
            if "refresh" in arg_words or "refresh" in literals:
                effects.mint_refresh = effects.mint_refresh or call
            else:
                effects.mint_access = effects.mint_access or call
        if words & {"tokens", "pair"} and words & _MINT_VERBS:
            helper = definition(ctx, func) if depth < 2 else None
            if helper is None:
                effects.mint_access = effects.mint_access or call
                effects.mint_refresh = effects.mint_refresh or call
        # -- revoking the presented one
        asks = bool(tail_words) and (tail_words[0] in _QUERY_PREFIXES or "in" in tail_words)  # token_in_blocklist()
        if not _in_condition(parents, call) and not asks:
            if callee_words & _REVOKE_WORDS or tail in _DELETE_TAILS or any(
                    set(split_words(text)) & _REVOKE_WORDS for text in literals) or any(
                    arg.keyword is not None and arg.keyword.value in _REVOKE_FIELDS for arg in call.args):
                effects.revoke = effects.revoke or call
        # -- helpers of this module or the project
        if depth < 2 and isinstance(func, (cst.Name, cst.Attribute)) and not qual.startswith(
                ("jwt.", "flask_jwt_extended.", "rest_framework_simplejwt.", "jose.", "authlib.")):
            helper = definition(ctx, func)
            if helper is not None and helper[0] is ctx:
                getattr(self, "_covered", set()).add(id(helper[1]))
                inner = self._effects(helper[1], None, depth + 1)
                effects.merge_minting(inner, call)
            elif helper is not None:
                inner = RefreshTokenNotRotated(helper[0])._effects(helper[1], None, depth + 1)
                effects.merge_minting(inner, call)

    def _assign_effects(self, node: cst.Assign | cst.AugAssign, effects: _RefreshEffects) -> None:
        ctx = self.ctx
        targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
        for target in targets:
            name = target.attr.value if isinstance(target, cst.Attribute) else None
            if isinstance(target, cst.Subscript):
                key = resolved_subscript_key(ctx, target)
                name = key if key else None
            if name is None:
                if isinstance(target, cst.Name) and "refresh" in split_words(target.value) and isinstance(
                        node.value, cst.Call) and (ctx.qualname(node.value.func) or "").startswith(
                        ("secrets.token_", "uuid.uuid4", "os.urandom")):
                    effects.mint_refresh = effects.mint_refresh or node  # a new opaque refresh token
                continue
            if name.lower() in _REVOKE_FIELDS:
                effects.revoke = effects.revoke or node
            elif name.lower() in _DEACTIVATE_FIELDS and _literal_false(ctx, node.value):
                effects.revoke = effects.revoke or node

    def _client_refresh(self, function: cst.FunctionDef, endpoint: Any) -> str | None:
        """A refresh token the client sends: ``body.refresh_token``, ``request.json["refresh"]``, a cookie."""
        ctx = self.ctx
        candidates: list[cst.BaseExpression] = []
        for child in walk(function.body):
            if isinstance(child, cst.Subscript):
                key = resolved_subscript_key(ctx, child)
                if key and "refresh" in split_words(key):
                    candidates.append(child)
            elif isinstance(child, cst.Call) and _tail(child.func) in ("get", "get_cookie") and child.args:
                key = ctx.string(child.args[0].value)
                if key and "refresh" in split_words(key):
                    candidates.append(child)
            elif isinstance(child, cst.Attribute) and "refresh" in split_words(child.attr.value):
                candidates.append(child)
        if not candidates:
            return None

        flow = HandlerFlow.build(ctx, function, endpoint.framework)
        for candidate in candidates:
            source = flow.client_source(candidate)
            if source is not None:
                return f"the client's {markup.code(source)}"
        return None

    # --- verdict ---------------------------------------------------------------------------
    def _judge(self, function: cst.FunctionDef, effects: _RefreshEffects, label: str, helper: bool = False) -> None:
        if effects.presented is None:
            return
        if effects.stock_serializer is not None and effects.mint_access is None:
            problem = self._settings_problem()
            if problem is not None:
                self.report(function.name, f"{label} refreshes through simplejwt's `TokenRefreshSerializer`, "
                            f"but {problem}: the presented refresh token stays valid after use")
            return
        if effects.mint_access is None or effects.revoke is not None:
            return
        if effects.mint_refresh is not None:
            message = (f"{label} takes a refresh token ({effects.presented}) and issues a new one, but never revokes "
                       f"the presented one: both stay valid, so a stolen refresh token keeps working until it "
                       f"expires; blocklist its `jti` (or delete/mark the stored token) when you rotate")
            confidence = Confidence.MEDIUM
        else:
            message = (f"{label} mints a new access token from a refresh token ({effects.presented}) but neither "
                       f"revokes it nor issues a new one: a stolen refresh token keeps minting access tokens until "
                       f"it expires; issue a new refresh token and revoke the presented one (blocklist its `jti`)")
            confidence = Confidence.HIGH if not helper else Confidence.MEDIUM
        self.report(function.name, message, confidence=confidence)

    # --- simplejwt's stock view ---------------------------------------------------------------
    def _settings_problem(self) -> str | None:
        """Why the project's SIMPLE_JWT settings leave refresh tokens valid after use (None: they do not, or unknown)."""
        problems = []
        for settings in django_settings(self.ctx):
            values = settings.values
            simple = values.get("SIMPLE_JWT", {})
            if not isinstance(simple, dict):
                return None  # built in code: cannot tell
            rotate, blacklist = simple.get("ROTATE_REFRESH_TOKENS"), simple.get("BLACKLIST_AFTER_ROTATION")
            apps = values.get("INSTALLED_APPS")
            installed = not isinstance(apps, (list, tuple)) or "rest_framework_simplejwt.token_blacklist" in apps
            if rotate is True and blacklist is True and installed:
                return None
            if UNKNOWN in (rotate, blacklist) or (rotate not in (True, False, None)):
                return None
            if rotate is not True:
                problems.append("`SIMPLE_JWT` does not set `ROTATE_REFRESH_TOKENS = True`")
            elif blacklist is not True:
                problems.append("`SIMPLE_JWT` rotates without `BLACKLIST_AFTER_ROTATION = True`")
            else:
                problems.append("`rest_framework_simplejwt.token_blacklist` is not in `INSTALLED_APPS`")
        return problems[0] if problems else None

    def _stock_views(self) -> None:
        ctx = self.ctx
        if "TokenRefreshView" not in ctx.source.text or ctx.project is None:
            return
        problem: str | None = None
        checked = False
        for child in walk(ctx.module):
            anchor = None
            if isinstance(child, cst.Call) and _tail(child.func) == "as_view" and isinstance(child.func, cst.Attribute) \
                    and ctx.qualname(child.func.value) == "rest_framework_simplejwt.views.TokenRefreshView":
                anchor, what = child, "simplejwt's `TokenRefreshView`"
            elif isinstance(child, cst.ClassDef) and any(
                    ctx.qualname(b.value) == "rest_framework_simplejwt.views.TokenRefreshView" for b in child.bases) \
                    and not any(isinstance(s, cst.FunctionDef) and s.name.value == "post" for s in child.body.body):
                anchor, what = child.name, f"{markup.code(child.name.value)} (simplejwt's `TokenRefreshView`)"
            if anchor is None:
                continue
            if not checked:
                problem, checked = self._settings_problem(), True
            if problem is None:
                return
            self.report(anchor, f"{what} mints access tokens from refresh tokens, but {problem}: the presented "
                        f"refresh token stays valid after use; set `ROTATE_REFRESH_TOKENS = True` and "
                        f"`BLACKLIST_AFTER_ROTATION = True` (with `token_blacklist` installed)")


def _tail(func: cst.BaseExpression) -> str:
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return ""


def _literal_true(ctx: FileContext, node: cst.BaseExpression | None) -> bool:
    return node is not None and ctx.literal(node) is True


def _literal_false(ctx: FileContext, node: cst.BaseExpression | None) -> bool:
    return node is not None and ctx.literal(node) is False
