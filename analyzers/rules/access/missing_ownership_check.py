"""AR102 missing-ownership-check: an object loaded by a client-supplied id, not scoped to the current user."""

from __future__ import annotations

import re
from typing import Any

import libcst as cst

from ... import markup
from ...context import UNKNOWN, FileContext, FileFact
from ...findings import Confidence, Fix, Severity
from ...frameworks import (
    CAPABILITY_KEY,
    Framework,
    HandlerFlow,
    Load,
    class_attribute,
    class_info,
    class_member,
    endpoints,
    is_user_model,
    model_expressions,
    model_fields_of,
    owned_by_users,
    refuses,
    resolve_model,
    tail_text,
    user_field,
)
from ...rule import Invalid, Rule
from ...walk import walk
from .._common import add_dict_element, add_keyword
from ._shared import (
    _ADMIN_ROUTE,
    ROUTE_FILES,
    _mentions_principal,
    _source_statement,
    django_routes_here,
)

# --- routes --------------------------------------------------------------------------------

_USER_KEY = re.compile(r"^(?:user|owner|author|member|account|customer|creator|created_by)(?:_?id|__id|__pk)?$",
                       re.IGNORECASE)


# A column that says which rows the public may see: a lookup pinned to visible rows is a public page by design.
_VISIBILITY = re.compile(r"^(?:is_)?(?:hidden|banned|private|public|published|visible|listed|unlisted|draft|"
                         r"suspended|blocked)$|^visibility$|^is_(?:shown|searchable)$", re.IGNORECASE)
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _visible_rows_only(ctx: FileContext, call: cst.Call) -> bool:
    """``Users.query.filter_by(id=user_id, banned=False, hidden=False)``, ``.filter(Post.is_public == True)``,
    ``Profile.objects.get(pk=pk, visibility="public")``: the query itself keeps to what anyone may see."""
    for node in [call, *walk(call)]:
        if isinstance(node, cst.Call):
            for arg in node.args:
                if arg.keyword is not None and _VISIBILITY.search(arg.keyword.value.split("__")[0]) \
                        and ctx.literal(arg.value) is not UNKNOWN:
                    return True
        elif isinstance(node, cst.Comparison) and isinstance(node.left, cst.Attribute) \
                and _VISIBILITY.search(node.left.attr.value) and len(node.comparisons) == 1 \
                and ctx.literal(node.comparisons[0].comparator) is not UNKNOWN:
            return True
    return False


def _visibility_gate(ctx: FileContext, function: cst.FunctionDef, load: Load) -> bool:
    """``team = Teams.query.filter_by(id=team_id).first_or_404()`` then ``if team.banned or team.hidden:
    abort(404)``: the page turns away rows not everyone may see, after loading them."""
    for node in walk(function):
        if isinstance(node, cst.If) and _ends_the_request(ctx, node.body) and any(
                isinstance(n, cst.Attribute) and isinstance(n.value, cst.Name) and n.value.value in load.targets
                and _VISIBILITY.search(n.attr.value) for n in walk(node.test)):
            return True
    return False


def _ends_the_request(ctx: FileContext, block: cst.CSTNode) -> bool:
    """A refusal, ``abort(404)``, ``raise Http404``, or a return: the rest of the handler does not run."""
    return refuses(ctx, block) or any(
        isinstance(n, cst.Return) or (isinstance(n, cst.Call) and (tail_text(n.func) in ("abort", "Http404", "NotFound",
                                                                                       "HTTPNotFound")))
        for n in walk(block))


_OwnerFilter = tuple[cst.FunctionDef, str | None, str, cst.BaseExpression]  # (handler, model, column, principal)


def _owner_filters(ctx: FileContext) -> list[_OwnerFilter]:
    """Every handler's owner filters: ``filter_by(owner_id=current_user.id)`` on a model."""
    filters: list[_OwnerFilter] = []
    for other in endpoints(ctx):
        other_flow = HandlerFlow.build(ctx, other.function, other.framework)
        filters += [(other.function, other_load.model, key.field, key.value) for other_load in other_flow.loads
                    for key in other_load.keys if key.field and other_flow.is_current_user(key.value)]
    return filters


_OWNER_SCOPES = FileFact("owner_scopes", _owner_filters)


def _owner_scope(ctx: FileContext, endpoint: Any, flow: Any, load: Any) -> tuple[str, str] | None:
    """The owner filter to add, in the project's own words: the column and principal expression the file's
    other handlers scope this model (or any model) by, when that expression reads here too; else the
    model's relation to the user model with the framework's principal."""
    names = {p.name.value for p in (*endpoint.function.params.params, *endpoint.function.params.kwonly_params)}
    usable = lambda value: (_root_name(value) in names or _root_name(value) in ctx.index.imports)  # noqa: E731
    same_model: tuple[str, str] | None = None
    any_model: tuple[str, str] | None = None
    for function, model, column, value in _OWNER_SCOPES.get(ctx):
        if function is not endpoint.function and usable(value):
            found = (column, ctx.code(value))
            if model == load.model and same_model is None:
                same_model = found
            any_model = any_model or found
    if same_model or (any_model and load.model is None):
        return same_model or any_model
    models = model_expressions(load.call)
    field = user_field(ctx, models[0]) if models else None
    if field is None:
        # another model's owner column fits this one only if this one has it (else the fix breaks the query)
        known = model_fields_of(ctx, models[0]) if models and any_model else None
        return any_model if known is not None and any_model is not None and \
            any_model[0].split("__")[0] in known[1] else None
    if endpoint.framework in (Framework.DJANGO, Framework.DRF) and "request" in names:
        return field, "request.user"
    if endpoint.framework in (Framework.DJANGO, Framework.DRF) and "self" in names:
        return field, "self.request.user"
    return None


def _root_name(expr: cst.BaseExpression) -> str | None:
    while isinstance(expr, (cst.Attribute, cst.Call, cst.Subscript)):
        expr = expr.func if isinstance(expr, cst.Call) else expr.value
    return expr.value if isinstance(expr, cst.Name) else None


def _scope_fix(ctx: FileContext, load: Any, scope: tuple[str, str]) -> Fix | None:
    """Add the owner filter to the lookup itself, so a foreign object is simply not found (404)."""
    field, value = scope
    call = load.call
    func = call.func
    name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
    if load.kind == "mongo":
        if call.args and isinstance(call.args[0].value, cst.Dict):
            new_filter = add_dict_element(call.args[0].value, f'"{field}"', value)
            return ctx.replace(call.args[0].value, new_filter, f"scope the lookup by {field}")
        return None
    if name in ("get_or_404", "get") and isinstance(func, cst.Attribute) and len(call.args) == 1 \
            and call.args[0].keyword is None and isinstance(func.value, cst.Attribute) and func.value.attr.value == "query":
        finder = "first_or_404" if name == "get_or_404" else "first"
        text = f"{ctx.code(func.value)}.filter_by(id={ctx.code(call.args[0].value)}, {field}={value}).{finder}()"
        return ctx.replace(call, cst.parse_expression(text), f"scope the lookup by {field}")
    keyworded = any(a.keyword is not None for a in call.args)
    if name in ("get_object_or_404", "get", "filter", "filter_by", "first_or_404", "aget_object_or_404") and keyworded:
        return ctx.replace(call, add_keyword(call, field, value), f"scope the lookup by {field}")
    return None


_OBJECT_VIEWS = re.compile(r"^(?:Detail|Update|Delete)View$|^(?:ReadOnly)?ModelViewSet$|^Retrieve\w*APIView$|"
                           r"^(?:Update|Destroy)APIView$|^(?:Retrieve|Update|Destroy)ModelMixin$")

# Permission classes that check identity or role only, never the object.
_IDENTITY_PERMISSIONS = frozenset({"IsAuthenticated", "IsAuthenticatedOrReadOnly", "AllowAny", "IsAdminUser",
                                   "DjangoModelPermissions", "DjangoModelPermissionsOrAnonReadOnly"})


def _object_permission(ctx: FileContext, info: Any) -> bool:
    """Something may check the object that ``get_object()`` loads: a permission class that defines
    ``has_object_permission`` (or one we cannot read, e.g. ``DjangoObjectPermissions``, a package's own),
    ``filter_backends`` (``get_object()`` filters the queryset through them), or a base class from
    outside Django and DRF (a mixin of the project's own library)."""
    if class_attribute(info, "filter_backends") is not None:
        return True
    if any(not name.startswith(("django.", "rest_framework.")) for name in info.external):
        return True
    found = class_attribute(info, "permission_classes")
    if found is None:
        return False
    owner_ctx, value = found
    elements = value.elements if isinstance(value, (cst.List, cst.Tuple)) else [cst.Element(value)]
    for element in elements:
        node = element.value
        if not isinstance(node, (cst.Name, cst.Attribute)):
            return True  # ``IsOwner | IsAdminUser`` and the like: not ours to second-guess
        resolved = resolve_model(owner_ctx, node)
        if resolved is None:
            if (owner_ctx.qualname(node) or owner_ctx.code(node)).rsplit(".", 1)[-1] not in _IDENTITY_PERMISSIONS:
                return True
        elif any(isinstance(s, cst.FunctionDef) and s.name.value == "has_object_permission"
                 for s in resolved[1].body.body):
            return True
    return False


def _loads_a_user(ctx: FileContext, call: cst.Call) -> bool:
    return any(is_user_model(ctx, model) for model in model_expressions(call))


# Account fields whose change takes the account over or lifts its rights, whatever value is written.
_ACCOUNT_FIELDS = re.compile(r"^(?:password|password_hash|hashed_password|passwd|pwd|email|username|role|roles|"
                             r"(?:is_)?(?:admin|staff|superuser|active)|permissions|groups|api_key|otp_secret)$",
                             re.IGNORECASE)


def _changes_account(flow: HandlerFlow, load: Load) -> str | None:
    """How the handler changes the user row ``load`` fetched, or None: an account field written (or any field
    written with client data), its password set, or the row deleted."""
    if any(CAPABILITY_KEY.search(k.field or "") for k in load.keys):
        return None  # a reset or confirmation token: knowing it is the permission
    targets = load.targets
    for node in walk(flow.function.body):
        if isinstance(node, (cst.Assign, cst.AugAssign)):
            written = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            for target in written:
                if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) \
                        and target.value.value in targets and (
                        _ACCOUNT_FIELDS.search(target.attr.value) or flow.is_client(node.value)):
                    return f"sets {markup.code(flow.ctx.code(target))}"
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            receiver = node.func.value
            if method in ("set_password", "set_unusable_password") and isinstance(receiver, cst.Name) \
                    and receiver.value in targets:
                return f"calls {markup.code(flow.ctx.code(node.func))}"
            if method == "delete" and (
                    (isinstance(receiver, cst.Name) and receiver.value in targets and not node.args)
                    or any(isinstance(a.value, cst.Name) and a.value.value in targets for a in node.args[:1])):
                return "deletes it"
    return None


class MissingOwnershipCheck(Rule):
    """What it does: flags authenticated routes that load an object by a client-supplied id
    (path, query or body), or the one record a URL names by another column (a title, a slug),
    and return, change or delete it without scoping the query to the current user or checking
    the object against them; also routes that change (password, e-mail, role) or delete the
    user account the client names, without checking that it is the caller's. Lookups by a
    token or code the caller must know (a share link) are not reported.

    Why is this bad: any signed-in user can read or change any other user's object by
    changing the id in the URL (IDOR / broken object-level authorization, the top API
    risk). Authentication says who the caller is; it does not say the object is theirs.

    Example:
        @bp.get("/invoices/<int:invoice_id>")
        @login_required
        def invoice(invoice_id):
            return Invoice.query.get_or_404(invoice_id).to_dict()

    Use instead:
        @bp.get("/invoices/<int:invoice_id>")
        @login_required
        def invoice(invoice_id):
            return Invoice.query.filter_by(id=invoice_id, owner_id=current_user.id).first_or_404().to_dict()
    """

    id = "AR102"
    name = "missing-ownership-check"
    title = "Object loaded by client id without an ownership check"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    cwe = 639
    prefilter = ROUTE_FILES
    in_tests = False

    VALID = [
        # A public profile page: the row is loaded, then hidden or banned rows are turned away.
        "from flask import Blueprint, abort\nfrom flask_login import login_required\nbp = Blueprint('t', __name__)\n"
        "@bp.get('/teams/<int:team_id>/solves')\n@login_required\ndef solves(team_id):\n"
        "    team = Team.query.filter_by(id=team_id).first_or_404()\n    if team.banned or team.hidden:\n"
        "        abort(404)\n    return render(team.solves)\n",
        # Scoped by owner.
        "from flask import Flask\nfrom flask_login import current_user, login_required\napp = Flask(__name__)\n"
        "@app.get('/notes/<int:note_id>')\n@login_required\ndef note(note_id):\n"
        "    return Note.query.filter_by(id=note_id, owner_id=current_user.id).first_or_404().to_dict()\n",
        # Checked after loading.
        "from flask import Flask, abort\nfrom flask_login import current_user, login_required\napp = Flask(__name__)\n"
        "@app.delete('/notes/<int:note_id>')\n@login_required\ndef delete(note_id):\n"
        "    note = Note.query.get_or_404(note_id)\n    if note.owner_id != current_user.id:\n        abort(404)\n"
        "    db.session.delete(note)\n",
        # An admin route acts on other users' objects by design.
        "from flask import Flask\nfrom flask_security import roles_required\napp = Flask(__name__)\n"
        "@app.get('/admin/users/<int:user_id>')\n@roles_required('admin')\ndef user(user_id):\n"
        "    return User.query.get_or_404(user_id).to_dict()\n",
        # A wiki page named by its slug: nothing says pages have an owner.
        "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n"
        "@app.get('/pages/<slug>')\n@login_required\ndef page(slug):\n"
        "    return Page.query.filter_by(slug=slug).first_or_404().to_dict()\n",
        # The share token is the permission; and a profile is read, not changed.
        "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n"
        "@app.get('/shared/<token>')\n@login_required\ndef shared(token):\n"
        "    return Share.query.filter_by(token=token).first_or_404().to_dict()\n"
        "@app.get('/users/<username>')\n@login_required\ndef profile(username):\n"
        "    return User.query.filter_by(username=username).first_or_404().public_dict()\n",
        # Unauthenticated: that is AR101's finding, not this one.
        "from flask import Flask\napp = Flask(__name__)\n@app.get('/notes/<int:note_id>')\ndef note(note_id):\n"
        "    return Note.query.get_or_404(note_id).to_dict()\n",
    ]
    INVALID = [
        Invalid(
            "from flask import Flask\nfrom flask_login import current_user, login_required\napp = Flask(__name__)\n"
            "@app.get('/notes')\n@login_required\ndef notes():\n"
            "    return [n.to_dict() for n in Note.query.filter_by(owner_id=current_user.id)]\n"
            "@app.get('/notes/<int:note_id>')\n@login_required\ndef note(note_id):\n"
            "    return Note.query.get_or_404(note_id).to_dict()\n",
        ),
        Invalid(
            "from fastapi import APIRouter, Depends\nfrom app.deps import get_current_user\nrouter = APIRouter()\n"
            "@router.delete('/items/{item_id}')\ndef delete_item(item_id: int, user=Depends(get_current_user)):\n"
            "    item = session.get(Item, item_id)\n    session.delete(item)\n    session.commit()\n",
        ),
        # The fix scopes the lookup the way the file's other handlers do, and keeps the 404.
        Invalid(
            "from flask import Flask\nfrom flask_login import current_user, login_required\napp = Flask(__name__)\n"
            "@app.get('/notes')\n@login_required\ndef notes():\n"
            "    return jsonify(Note.query.filter_by(owner_id=current_user.id).all())\n"
            "@app.delete('/notes/<int:note_id>')\n@login_required\ndef delete_note(note_id):\n"
            "    note = Note.query.get_or_404(note_id)\n    db.session.delete(note)\n",
            fixed="from flask import Flask\nfrom flask_login import current_user, login_required\napp = Flask(__name__)\n"
            "@app.get('/notes')\n@login_required\ndef notes():\n"
            "    return jsonify(Note.query.filter_by(owner_id=current_user.id).all())\n"
            "@app.delete('/notes/<int:note_id>')\n@login_required\ndef delete_note(note_id):\n"
            "    note = Note.query.filter_by(id=note_id, owner_id=current_user.id).first_or_404()\n"
            "    db.session.delete(note)\n",
        ),
        # The other handlers scope notes by owner_id; nothing says attachments have that column: no fix borrows it.
        Invalid(
            "from flask import Flask\nfrom flask_login import current_user, login_required\n"
            "from .models import Attachment, Note\napp = Flask(__name__)\n"
            "@app.get('/notes')\n@login_required\ndef notes():\n"
            "    return jsonify(Note.query.filter_by(owner_id=current_user.id).all())\n"
            "@app.get('/attachments/<int:attachment_id>')\n@login_required\ndef attachment(attachment_id):\n"
            "    attachment = Attachment.query.get_or_404(attachment_id)\n    return attachment.to_dict()\n",
        ),
        # The record the URL names by its title.
        Invalid(
            "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n"
            "class Book(db.Model):\n    title = db.Column(db.String)\n"
            "    owner_id = db.Column(db.Integer, db.ForeignKey('user.id'))\n"
            "@app.get('/books/<title>')\n@login_required\ndef book(title):\n"
            "    return Book.query.filter_by(title=title).first_or_404().to_dict()\n",
        ),
        # Another user's password, changed by anyone signed in.
        Invalid(
            "from flask import Flask, request\nfrom flask_login import UserMixin, login_required\napp = Flask(__name__)\n"
            "class User(UserMixin, db.Model):\n    username = db.Column(db.String)\n    password = db.Column(db.String)\n"
            "@app.put('/users/<username>/password')\n@login_required\ndef password(username):\n"
            "    user = User.query.filter_by(username=username).first_or_404()\n"
            "    user.password = hash_password(request.json['password'])\n    db.session.commit()\n",
        ),
        # Django: the model's relation to the user model names the owner column.
        Invalid(
            "from django.conf import settings\nfrom django.contrib.auth.decorators import login_required\n"
            "from django.db import models\nfrom django.http import JsonResponse\n"
            "from django.shortcuts import get_object_or_404\n"
            "class Invoice(models.Model):\n    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)\n"
            "@login_required\ndef invoice(request, pk):\n"
            "    return JsonResponse({'total': get_object_or_404(Invoice, pk=pk).total})\n",
            fixed="from django.conf import settings\nfrom django.contrib.auth.decorators import login_required\n"
            "from django.db import models\nfrom django.http import JsonResponse\n"
            "from django.shortcuts import get_object_or_404\n"
            "class Invoice(models.Model):\n    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)\n"
            "@login_required\ndef invoice(request, pk):\n"
            "    return JsonResponse({'total': get_object_or_404(Invoice, pk=pk, customer=request.user).total})\n",
        ),
    ]

    def visit_Module(self, node: cst.Module) -> None:
        for endpoint in endpoints(self.ctx):
            route = endpoint.route
            if not endpoint.authenticated or endpoint.role_checked:
                continue
            where = f"{route.path or ''} {route.name} {route.owner or ''} {self.ctx.path.rsplit('/', 1)[-1][:-3]}"
            if _ADMIN_ROUTE.search(where):
                continue  # acting on other users' objects is the point; a missing role check is AR103's finding
            flow = HandlerFlow.build(self.ctx, endpoint.function, endpoint.framework)
            if flow.role_checked:
                continue
            for load in flow.loads:
                keys = flow.client_keys(load) or flow.path_keys(load)
                if load.superseded or not keys or flow.scoped_to_user(load):
                    continue
                if endpoint.methods and set(endpoint.methods) <= _SAFE_METHODS and (
                        _visible_rows_only(self.ctx, load.call) or _visibility_gate(self.ctx, endpoint.function, load)):
                    continue  # a public profile: the query keeps to visible rows, and the page only shows them
                models = model_expressions(load.call)
                if models and all(owned_by_users(self.ctx, m) is False for m in models):
                    continue  # rows nobody owns (a product, a tag): any signed-in user may load them
                if not flow.client_keys(load) and not _loads_a_user(self.ctx, load.call) \
                        and not any(owned_by_users(self.ctx, m) for m in models):
                    continue  # named by a slug or a title: a page, unless its model is known to have an owner
                if _loads_a_user(self.ctx, load.call):
                    change = _changes_account(flow, load)
                    if change is not None:
                        self._report_account_change(endpoint, flow, load, keys[0], change)
                        break
                    continue  # reading another user (a profile page) or managing users (AR103's finding)
                if any(_USER_KEY.search(k.field or "") for k in keys):
                    continue  # a client-chosen *user*: the caller picks an identity (AR104)
                key = keys[0]
                source = flow.client_source_markdown(key.value) if key is not None else None
                what = markup.code(load.model) if load.model else "an object"
                scope = _owner_scope(self.ctx, endpoint, flow, load)
                advice = markup.code(f'{scope[0]}={scope[1]}') if scope else "`owner_id=<current user>.id`"
                self.report(
                    load.call,
                    f"{markup.code(endpoint.label)} loads {what} by {source or 'a client-supplied id'} and never checks that it "
                    f"belongs to the current user: any signed-in user can reach anyone's; scope the query by owner "
                    f"({advice}) and answer 404",
                    fix=_scope_fix(self.ctx, load, scope) if scope else None,
                )
                break  # one finding per handler: the first unscoped load
        self._implicit_loads()

    def _report_account_change(self, endpoint: Any, flow: HandlerFlow, load: Load, key: Any, change: str) -> None:
        """Another user's account, named by the client, changed by any signed-in caller."""
        source = flow.client_source_markdown(key.value) or "a client-supplied key"
        what = markup.code(load.model) if load.model else "a user"
        self.report(
            load.call,
            f"{markup.code(endpoint.label)} loads {what} by {source} and {change} without checking that it is the "
            f"caller's own account: any signed-in user can change anyone's; act on the authenticated user instead, "
            f"or check the caller's role first",
        )

    def _implicit_loads(self) -> None:
        """Generic object views (``DetailView``, ``RetrieveAPIView``, model ViewSets) load by the URL's pk from
        ``queryset``/``model``: unscoped, with no ``get_queryset``/``get_object`` override and no object-level
        permission, any signed-in user reaches any user's object."""
        seen: set[int] = set()
        for route in django_routes_here(self.ctx):
            cls = route.handler
            if not isinstance(cls, cst.ClassDef) or id(cls) in seen:
                continue
            seen.add(id(cls))
            if not route.authenticated or route.role_checked or _ADMIN_ROUTE.search(f"{route.path or ''} {route.name}"):
                continue
            info = class_info(self.ctx, cls)
            if not any(_OBJECT_VIEWS.search(t) for t in info.tails()) or any(
                    class_member(info, name) for name in ("get_queryset", "get_object", "test_func")):
                continue
            if _object_permission(self.ctx, info):
                continue
            statement = _source_statement(cls)
            if statement is None or _mentions_principal(statement.value):
                continue
            models = model_expressions(statement)
            if not models or any(is_user_model(self.ctx, m) for m in models) or \
                    not any(owned_by_users(self.ctx, m) for m in models):
                continue
            target = self.ctx.code(statement.targets[0].target)
            self.report(statement, f"{markup.code(route.label)} loads {markup.code(self.ctx.code(models[0]))} objects by the URL's id from "
                        f"{markup.code(target)} with no owner filter, no `get_queryset()` and no object permission: any signed-in "
                        f"user reaches anyone's; override `get_queryset()` to filter by `self.request.user`")
