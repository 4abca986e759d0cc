"""Request data flow in one handler: client data, the principal, loads by client id and their scoping."""

from __future__ import annotations

import textwrap

import libcst as cst

from auth_review.analyzers.config import Config
from auth_review.analyzers.context import FileContext
from auth_review.analyzers.frameworks import HandlerFlow, Load
from auth_review.analyzers.project import Project
from auth_review.analyzers.source import Source
from auth_review.analyzers.walk import walk


class Handler:
    """A parsed snippet and the flow of one of its functions; expressions are looked up by source text."""

    def __init__(self, code: str, name: str, framework: str, path_params: set[str] | None = None) -> None:
        code = textwrap.dedent(code)
        self.ctx = FileContext(Source("app/views.py", code.encode(), code), cst.parse_module(code), Config())
        self.function = next(n for n in walk(self.ctx.module) if isinstance(n, cst.FunctionDef) and n.name.value == name)
        self.flow = HandlerFlow.build(self.ctx, self.function, framework, path_params)

    def expr(self, text: str, occurrence: int = -1) -> cst.BaseExpression:
        """The ``occurrence``-th expression in the handler whose code is ``text`` (default: the last)."""
        found = [n for n in walk(self.function) if isinstance(n, cst.BaseExpression) and self.ctx.code(n) == text]
        assert found, f"{text!r} not in handler"
        return found[occurrence]

    def client(self, text: str, occurrence: int = -1) -> bool:
        return self.flow.is_client(self.expr(text, occurrence))

    def source(self, text: str, occurrence: int = -1) -> str | None:
        return self.flow.client_source(self.expr(text, occurrence))

    def user(self, text: str, occurrence: int = -1) -> bool:
        return self.flow.is_current_user(self.expr(text, occurrence))

    def load(self, text: str) -> Load:
        load = self.flow.load(self.expr(text))
        assert load is not None, f"{text!r} is not a load"
        return load

    def idor(self, text: str) -> tuple[bool, bool]:
        """(loads by client id, scoped to the user) for the load whose outermost call is ``text``."""
        load = self.load(text)
        return self.flow.loads_by_client_id(load), self.flow.scoped_to_user(load)


# --- Flask + Flask-SQLAlchemy ----------------------------------------------------------

FLASK = """
from flask import Flask, request, abort, jsonify, g, session
from flask import request as req
import flask
from flask_login import current_user, login_required
from flask_jwt_extended import get_jwt_identity, get_jwt
from models import Note, User, db
app = Flask(__name__)
"""


def test_flask_sources_and_propagation() -> None:
    h = Handler(FLASK + """
@app.post("/notes/<int:note_id>")
def update(note_id):
    data = request.get_json()
    uid = int(data["user_id"])
    label = f"note-{note_id}"
    page = req.args.get("page", 1, type=int)
    token = flask.request.headers.get("X-Token")
    first, second = request.form["a"], "fixed"
    if (ref := request.args.get("ref")):
        pass
    for tag in request.json["tags"]:
        print(tag)
    limit = 50
    owner = data.get("owner") or "nobody"
    return jsonify(uid, label, page, token, first, second, ref, limit, owner)
""", "update", "flask")
    for text in ("note_id", "data", "uid", "label", "page", "token", "first", "ref", "tag", "owner",
                 "request.get_json()"):
        assert h.client(text), text
    assert not h.client("second") and not h.client("limit") and not h.client("jsonify(uid, label, page, token, first, second, ref, limit, owner)")
    assert h.source("note_id") == "path parameter note_id"
    assert h.source("uid") == "request.get_json()['user_id']"
    assert h.source("page") == "req.args['page']"
    assert not h.flow.may_be_structured(h.expr("uid"))  # int() cast
    assert h.flow.may_be_structured(h.expr("data"))


def test_flask_route_path_params_limit_parameters_and_reassignment_clears() -> None:
    h = Handler(FLASK + """
@app.get("/notes/<slug>")
def show(slug, default_id=None):
    note_id = request.args["id"]
    note_id = current_user.default_note_id
    return Note.query.get_or_404(note_id)
""", "show", "flask", path_params={"slug"})
    assert h.client("slug") and not h.client("default_id")
    assert h.client("note_id", 0) and not h.client("note_id", 1)  # each target reads its own binding...
    assert not h.client("note_id")  # ...and the load reads the server-side value
    assert h.user("note_id") and not h.flow.loads_by_client_id(h.load("Note.query.get_or_404(note_id)"))


def test_flask_current_user_forms() -> None:
    h = Handler(FLASK + """
@app.get("/me")
def me():
    ident = get_jwt_identity()
    sub = get_jwt()["sub"]
    me = User.query.get(ident)
    them = User.query.get(request.args["user_id"])
    return jsonify(current_user.id, g.user.org_id, session["user_id"], me.email, sub, them, g.db)
""", "me", "flask")
    for text in ("ident", "sub", "me.email", "current_user.id", "g.user.org_id", 'session["user_id"]'):
        assert h.user(text), text
    assert not h.user("them") and not h.user("g.db") and not h.user('request.args["user_id"]')


def test_flask_sqlalchemy_loads_and_scoping() -> None:
    code = FLASK + """
@app.get("/a/<int:note_id>")
def plain(note_id):
    return jsonify(Note.query.get_or_404(note_id))

@app.get("/b/<int:note_id>")
def scoped_filter_by(note_id):
    return jsonify(Note.query.filter_by(id=note_id, owner_id=current_user.id).first_or_404())

@app.get("/c/<int:note_id>")
def scoped_filter(note_id):
    return jsonify(Note.query.filter(Note.id == note_id, Note.owner == current_user).one())

@app.get("/d/<int:note_id>")
def through_user(note_id):
    return jsonify(current_user.notes.filter_by(id=note_id).first())

@app.get("/e/<int:note_id>")
def session_get(note_id):
    note = db.session.get(Note, note_id)
    return jsonify(note.to_dict())

@app.get("/f/<int:note_id>")
def checked_after(note_id):
    note = Note.query.filter_by(id=note_id).first()
    if note is None or note.owner_id != current_user.id:
        abort(404)
    return jsonify(note.to_dict())

@app.get("/g/<int:note_id>")
def helper_check(note_id):
    note = db.session.query(Note).filter(Note.id == note_id).first()
    require_owner(note)
    return jsonify(note.to_dict())

@app.get("/h/<int:note_id>")
def null_check_only(note_id):
    note = Note.query.filter_by(id=note_id).first()
    abort_if_missing(note)
    log_access(note, current_user)
    return jsonify(note.to_dict())
"""
    cases = {
        "plain": ("Note.query.get_or_404(note_id)", (True, False)),
        "scoped_filter_by": ("Note.query.filter_by(id=note_id, owner_id=current_user.id).first_or_404()", (True, True)),
        "scoped_filter": ("Note.query.filter(Note.id == note_id, Note.owner == current_user).one()", (True, True)),
        "through_user": ("current_user.notes.filter_by(id=note_id).first()", (True, True)),
        "session_get": ("db.session.get(Note, note_id)", (True, False)),
        "checked_after": ("Note.query.filter_by(id=note_id).first()", (True, True)),
        "helper_check": ("db.session.query(Note).filter(Note.id == note_id).first()", (True, True)),
    }
    for name, (text, expected) in cases.items():
        assert Handler(code, name, "flask").idor(text) == expected, name
    e = Handler(code, "session_get", "flask")
    assert e.load("db.session.get(Note, note_id)").model == "Note"
    assert e.load("db.session.get(Note, note_id)").targets == {"note"}
    # A null check or an audit call naming the user is no ownership check.
    assert Handler(code, "null_check_only", "flask").idor("Note.query.filter_by(id=note_id).first()") == (True, False)


def test_flask_check_before_load_and_anchored_loads() -> None:
    h = Handler(FLASK + """
@app.get("/users/<int:user_id>/orders")
def orders(user_id):
    if user_id != current_user.id and not current_user.is_admin:
        abort(403)
    return jsonify(Order.query.filter_by(user_id=user_id).all())

@app.get("/projects/<int:pid>/tasks/<int:tid>")
def task(pid, tid):
    project = Project.query.get_or_404(pid)
    if project.owner_id != current_user.id:
        abort(404)
    t = Task.query.filter_by(id=tid, project_id=project.id).first_or_404()
    u = project.tasks.filter_by(id=tid).first()
    return jsonify(t, u)

@app.get("/other/<int:pid>/tasks/<int:tid>")
def unchecked(pid, tid):
    project = Project.query.get_or_404(pid)
    return jsonify(Task.query.filter_by(id=tid, project_id=project.id).first_or_404())
""", "orders", "flask")
    assert h.idor("Order.query.filter_by(user_id=user_id).all()") == (True, True)
    t = Handler(h.ctx.module.code, "task", "flask")
    assert t.idor("Task.query.filter_by(id=tid, project_id=project.id).first_or_404()") == (True, True)
    assert t.idor("project.tasks.filter_by(id=tid).first()") == (True, True)
    u = Handler(h.ctx.module.code, "unchecked", "flask")
    assert u.idor("Task.query.filter_by(id=tid, project_id=project.id).first_or_404()") == (True, False)


def test_flask_safe_lookalikes() -> None:
    h = Handler(FLASK + """
import uuid
DEFAULT_ID = 1

@app.post("/invites")
def invite():
    code = uuid.uuid4().hex
    a = Invite.query.filter_by(id=code).first()
    b = Note.query.get(DEFAULT_ID)
    c = Profile.query.filter_by(user_id=current_user.id).first()
    d = Note.query.filter_by(slug=request.args["slug"]).first()
    theme = request.args.get("theme")
    cached = cache.get(request.args["key"])
    return jsonify(a, b, c, d, theme, cached, session.get("user_id"))
""", "invite", "flask")
    assert not h.flow.loads_by_client_id(h.load("Invite.query.filter_by(id=code).first()"))
    assert not h.flow.loads_by_client_id(h.load("Note.query.get(DEFAULT_ID)"))
    assert not h.flow.loads_by_client_id(h.load("Profile.query.filter_by(user_id=current_user.id).first()"))
    assert not h.flow.loads_by_client_id(h.load('Note.query.filter_by(slug=request.args["slug"]).first()'))  # not an id
    assert h.flow.load(h.expr('request.args.get("theme")')) is None
    assert h.flow.load(h.expr('cache.get(request.args["key"])')) is None
    assert h.user('session.get("user_id")')


def test_flask_role_check_is_reported() -> None:
    h = Handler(FLASK + """
@app.delete("/users/<int:user_id>")
def delete_user(user_id):
    if not current_user.is_admin:
        abort(403)
    db.session.delete(User.query.get_or_404(user_id))
""", "delete_user", "flask")
    assert h.flow.role_checked
    plain = Handler(FLASK + """
@app.delete("/notes/<int:note_id>")
def delete_note(note_id):
    if not current_user.is_authenticated:
        abort(401)
    db.session.delete(Note.query.get_or_404(note_id))
""", "delete_note", "flask")
    assert not plain.flow.role_checked


# --- FastAPI + SQLAlchemy 2.0 ------------------------------------------------------------

FASTAPI = """
from typing import Annotated, Optional
from fastapi import APIRouter, Depends, Query, Request, Security
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from .deps import get_db, get_current_user, get_current_active_superuser
from .models import Note, User

router = APIRouter()
CurrentUser = Annotated[User, Depends(get_current_user)]

class NoteIn(BaseModel):
    title: str
    owner_id: int

class NoteUpdate(NoteIn):
    pass
"""


def test_fastapi_parameters() -> None:
    h = Handler(FASTAPI + """
@router.put("/notes/{note_id}")
async def update(note_id: int, payload: NoteUpdate, request: Request, q: Optional[str] = None,
                 limit: int = Query(10), db: AsyncSession = Depends(get_db),
                 user: User = Depends(get_current_user), me: CurrentUser = None,
                 admin=Security(get_current_active_superuser, scopes=["admin"])):
    body = await request.json()
    values = payload.model_dump(exclude_unset=True)
    return note_id, payload.owner_id, q, limit, db, user.id, me.org_id, admin, body, values
""", "update", "fastapi", path_params={"note_id"})
    assert h.source("note_id") == "path parameter note_id"
    assert h.source("payload.owner_id") == "request body payload.owner_id"
    assert h.source("q") == "query parameter q" and h.source("limit") == "query parameter limit"
    assert h.client("body") and h.flow.may_be_structured(h.expr("body"))
    assert h.client("values") and h.flow.may_be_structured(h.expr("values"))
    assert not h.client("db") and not h.client("user.id") and not h.client("request", -1)
    for text in ("user.id", "me.org_id", "admin"):
        assert h.user(text), text
    assert not h.user("payload.owner_id") and not h.user("db")


def test_fastapi_sqlalchemy2_loads() -> None:
    code = FASTAPI + """
@router.get("/a/{note_id}")
async def plain(note_id: int, db: AsyncSession = Depends(get_db)):
    return await db.get(Note, note_id)

@router.get("/b/{note_id}")
async def scoped(note_id: int, db: AsyncSession = Depends(get_db), user: User = Depends(get_current_user)):
    return (await db.scalars(select(Note).where(Note.id == note_id, Note.owner_id == user.id))).first()

@router.get("/c/{note_id}")
async def built(note_id: int, db: AsyncSession = Depends(get_db), user: User = Depends(get_current_user)):
    stmt = select(Note).where(Note.id == note_id)
    c = (await db.execute(stmt)).scalar_one_or_none()
    return c

@router.get("/d/{note_id}")
async def refined(note_id: int, db: AsyncSession = Depends(get_db), user: User = Depends(get_current_user)):
    stmt = select(Note).where(Note.id == note_id)
    stmt = stmt.where(Note.owner_id == user.id)
    return (await db.scalars(stmt)).first()

@router.delete("/projects/{project_id}/documents/{document_id}")
async def member_checked_elsewhere(project_id: int, document_id: int, db: AsyncSession = Depends(get_db),
                                   user: User = Depends(get_current_user)):
    membership = await db.scalar(select(Membership).where(Membership.project_id == project_id,
                                                          Membership.user_id == user.id))
    if membership is None:
        raise HTTPException(status_code=404)
    project = await db.get(Project, project_id)
    document = (await db.scalars(select(Document).where(Document.id == document_id))).first()
    await db.delete(document)
"""
    plain = Handler(code, "plain", "fastapi", {"note_id"})
    assert plain.idor("db.get(Note, note_id)") == (True, False)
    scoped = Handler(code, "scoped", "fastapi", {"note_id"})
    assert scoped.idor("db.scalars(select(Note).where(Note.id == note_id, Note.owner_id == user.id))") == (True, True)
    built = Handler(code, "built", "fastapi", {"note_id"})
    c = built.load("(await db.execute(stmt)).scalar_one_or_none()")
    assert built.flow.loads_by_client_id(c) and not built.flow.scoped_to_user(c) and c.targets == {"c"}
    assert built.load("select(Note).where(Note.id == note_id)").superseded  # executed later: report the execution
    refined = Handler(code, "refined", "fastapi", {"note_id"})
    assert refined.idor("(await db.scalars(stmt)).first()") == (True, True)
    member = Handler(code, "member_checked_elsewhere", "fastapi", {"project_id", "document_id"})
    assert member.idor("db.get(Project, project_id)") == (True, True)  # the membership test covers project_id
    assert member.idor("(await db.scalars(select(Document).where(Document.id == document_id))).first()") == (True, False)


def test_fastapi_dependency_aliases_imported_from_another_module() -> None:
    deps = "from typing import Annotated\nfrom fastapi import Depends, Security\n" \
        "from sqlalchemy.orm import Session\n" \
        "SessionDep = Annotated[Session, Depends(get_session)]\n" \
        "ItemsWriter = Annotated[User, Security(get_current_user, scopes=['items:write'])]\n"
    code = textwrap.dedent("""
        from fastapi import APIRouter
        from ..deps import ItemsWriter, SessionDep, ItemsPayload
        router = APIRouter()

        @router.put("/{item_id}")
        def update_item(item_id: int, payload: ItemsPayload, writer: ItemsWriter, session: SessionDep):
            return session.get(Item, item_id), writer.id, payload
    """)
    files = {"app/deps.py": deps, "app/routers/items.py": code}
    project = Project(list(files), lambda path: files[path].encode(), Config())
    ctx = project.context_for_path("app/routers/items.py")
    assert ctx is not None
    function = next(n for n in walk(ctx.module) if isinstance(n, cst.FunctionDef))
    flow = HandlerFlow.build(ctx, function, "fastapi", {"item_id"})
    names = {n.value: n for n in walk(function) if isinstance(n, cst.Name)}
    assert flow.is_current_user(names["writer"]) and not flow.is_client(names["writer"])
    assert not flow.is_client(names["session"]) and flow.is_client(names["payload"])


def test_fastapi_post_load_check_and_token_identity() -> None:
    h = Handler(FASTAPI + """
@router.delete("/notes/{note_id}")
async def delete(note_id: int, db: AsyncSession = Depends(get_db), current: User = Depends(get_current_user)):
    note = await db.get(Note, note_id)
    if note is None or note.owner_id != current.id:
        raise HTTPException(status_code=404)
    await db.delete(note)
""", "delete", "fastapi", path_params={"note_id"})
    assert h.idor("db.get(Note, note_id)") == (True, True)


def test_starlette_request_sources() -> None:
    h = Handler("""
from starlette.responses import JSONResponse

async def note(request):
    note_id = request.path_params["note_id"]
    form = await request.form()
    who = request.user.id
    row = await db.fetch_one(notes.select().where(notes.c.id == note_id))
    return JSONResponse({"id": note_id, "title": form["title"], "who": who})
""", "note", "starlette")
    assert h.source("note_id") == "path parameter note_id"
    assert h.client('form["title"]') and h.user("who") and not h.client("who")


# --- Django / DRF -------------------------------------------------------------------------

DJANGO = """
import json
from django.shortcuts import get_object_or_404
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from rest_framework.views import APIView
from rest_framework import generics
from .models import Note, Order
from .serializers import NoteSerializer
"""


def test_django_function_views() -> None:
    code = DJANGO + """
def plain(request, pk):
    return JsonResponse({"title": Note.objects.get(pk=pk).title})

def scoped_shortcut(request, pk):
    return JsonResponse({"title": get_object_or_404(Note, pk=pk, owner=request.user).title})

def through_user(request):
    order = request.user.orders.get(pk=request.GET["order"])
    return JsonResponse({"id": order.pk})

def checked_after(request, pk):
    note = get_object_or_404(Note.objects.select_related("owner"), id=pk)
    if note.owner != request.user:
        raise PermissionDenied
    return JsonResponse({"title": note.title})

def scoped_queryset(request, pk):
    mine = Note.objects.filter(owner=request.user)
    return JsonResponse({"title": mine.get(pk=pk).title})

def payloads(request):
    data = json.loads(request.body)
    who = request.POST.get("user_id")
    return JsonResponse({"data": data, "who": who, "me": request.user.pk})
"""
    assert Handler(code, "plain", "django").idor("Note.objects.get(pk=pk)") == (True, False)
    assert Handler(code, "scoped_shortcut", "django").idor("get_object_or_404(Note, pk=pk, owner=request.user)") == (True, True)
    assert Handler(code, "through_user", "django").idor('request.user.orders.get(pk=request.GET["order"])') == (True, True)
    assert Handler(code, "checked_after", "django").idor(
        'get_object_or_404(Note.objects.select_related("owner"), id=pk)') == (True, True)
    scoped = Handler(code, "scoped_queryset", "django")
    assert scoped.idor("mine.get(pk=pk)") == (True, True) and scoped.load('Note.objects.filter(owner=request.user)').superseded
    h = Handler(code, "payloads", "django")
    assert h.source("who") == "request.POST['user_id']"
    assert h.flow.may_be_structured(h.expr("data")) and not h.flow.may_be_structured(h.expr("who"))
    assert h.user("request.user.pk") and not h.client("request.user.pk")


def test_drf_class_based_views() -> None:
    code = DJANGO + """
class NoteDetail(APIView):
    def get(self, request, pk):
        note = Note.objects.get(pk=self.kwargs["pk"])
        self.check_object_permissions(request, note)
        return Response(NoteSerializer(note).data)

    def put(self, request, pk):
        note = Note.objects.filter(pk=pk).first()
        serializer = NoteSerializer(note, data=request.data)
        serializer.is_valid(raise_exception=True)
        Note.objects.filter(pk=pk).update(**serializer.validated_data)
        return Response({"by": self.request.user.id, "data": request.data})

class MyOrders(generics.RetrieveAPIView):
    def get_queryset(self):
        return Order.objects.filter(customer=self.request.user)

    def retrieve(self, request, *args, **kwargs):
        order = self.get_queryset().get(pk=kwargs["pk"])
        return Response({"id": order.pk})
"""
    get = Handler(code, "get", "drf")
    assert get.source('self.kwargs["pk"]') == "path parameter pk"
    assert get.idor('Note.objects.get(pk=self.kwargs["pk"])') == (True, True)  # check_object_permissions
    put = Handler(code, "put", "drf")
    assert put.idor("Note.objects.filter(pk=pk).first()") == (True, False)
    assert put.client("serializer.validated_data") and put.client("request.data")
    assert put.user("self.request.user.id")
    retrieve = Handler(code, "retrieve", "drf")
    assert retrieve.source('kwargs["pk"]') == "path parameter pk"
    assert retrieve.idor('self.get_queryset().get(pk=kwargs["pk"])') == (True, True)


# --- pymongo --------------------------------------------------------------------------------

MONGO = """
from bson import ObjectId
from flask import Flask, request, jsonify
from flask_login import current_user
from .db import mongo
app = Flask(__name__)
"""


def test_pymongo_loads_and_structured_values() -> None:
    h = Handler(MONGO + """
@app.post("/notes/<note_id>")
def note(note_id):
    a = mongo.db.notes.find_one({"_id": ObjectId(note_id)})
    b = mongo.db.notes.find_one({"_id": ObjectId(note_id), "owner_id": current_user.id})
    query = {"_id": ObjectId(note_id)}
    c = mongo.db["notes"].delete_one(query)
    data = request.get_json()
    user = mongo.db.users.find_one({"username": data["username"], "password": str(data["password"])})
    return jsonify(a, b, c, user)
""", "note", "flask")
    assert h.idor('mongo.db.notes.find_one({"_id": ObjectId(note_id)})') == (True, False)
    assert h.idor('mongo.db.notes.find_one({"_id": ObjectId(note_id), "owner_id": current_user.id})') == (True, True)
    c = h.load('mongo.db["notes"].delete_one(query)')
    assert c.kind == "mongo" and c.model == "notes" and h.flow.loads_by_client_id(c)
    login = h.load('mongo.db.users.find_one({"username": data["username"], "password": str(data["password"])})')
    assert not h.flow.loads_by_client_id(login)
    assert h.flow.may_be_structured(h.expr('data["username"]'))
    assert not h.flow.may_be_structured(h.expr('str(data["password"])'))


# --- signed tokens, helper casts, class-based Flask views ------------------------------------

def test_signed_tokens_are_not_client_ids_and_id_helpers_are_casts() -> None:
    h = Handler(FLASK + """
from itsdangerous import URLSafeTimedSerializer

def _tokens():
    return URLSafeTimedSerializer("k", salt="reset")

@app.post("/reset/<token>")
def reset(token):
    user_id = _tokens().loads(token, max_age=3600)
    user = db.get_or_404(User, user_id)
    note = Note.query.get_or_404(object_id(request.args["note"]))
    return jsonify(user, note)
""", "reset", "flask")
    assert h.client("token") and not h.client("user_id")
    assert not h.flow.loads_by_client_id(h.load("db.get_or_404(User, user_id)"))
    assert h.flow.loads_by_client_id(h.load('Note.query.get_or_404(object_id(request.args["note"]))'))


def test_flask_method_view_arguments_are_path_parameters() -> None:
    h = Handler(FLASK + """
from flask.views import MethodView

class NoteAPI(MethodView):
    def get(self, note_id):
        return jsonify(Note.query.get_or_404(note_id), self)
""", "get", "flask")
    assert h.source("note_id") == "path parameter note_id" and not h.client("self")


def test_values_out_of_a_verified_signature_are_not_client_data() -> None:
    """One notion of a signature check, shared with the rules: a module's serializer, a local named for one, a
    project's ``signing.unserialize``; a plain JSON decode is still the client's."""
    h = Handler(FLASK + """
import json
from itsdangerous import URLSafeTimedSerializer
from app.utils.signing import unserialize
LINKS = URLSafeTimedSerializer("k")

@app.get("/confirm/<token>")
def confirm(token):
    signer = make_signer()
    a = LINKS.loads(token)
    b = signer.unsign(request.args["sig"])
    c = unserialize(request.args["invite"])
    d = json.loads(request.args["blob"])
    return jsonify(a, b, c, d)
""", "confirm", "flask")
    assert h.client("token") and not h.client("LINKS.loads(token)")
    assert not h.client('signer.unsign(request.args["sig"])')
    assert not h.client('unserialize(request.args["invite"])')
    assert h.client('json.loads(request.args["blob"])')


def test_connexion_context_holds_the_caller_and_a_name_keyed_lookup_is_a_path_key() -> None:
    code = """
        import connexion
        from connexion import context

        def book(title):
            book = Book.query.filter_by(title=title, owner=context["user"]).first_or_404()
            other = Book.query.filter_by(title=title).first()
            shared = Book.query.filter_by(title=title, shelf=connexion.context["token_info"]["shelf"]).first()
            many = Book.query.filter_by(title=title).all()
            return book, other, shared, many
    """
    handler = Handler(code, "book", "connexion", {"title"})
    assert handler.user('context["user"]') and handler.user('connexion.context["token_info"]["shelf"]')
    assert handler.flow.scoped_to_user(handler.load('Book.query.filter_by(title=title, owner=context["user"]).first_or_404()'))
    other = handler.load("Book.query.filter_by(title=title).first()")
    assert [k.field for k in handler.flow.path_keys(other)] == ["title"] and not handler.flow.client_keys(other)
    assert not handler.flow.path_keys(handler.load("Book.query.filter_by(title=title).all()"))  # many rows: a listing
    shared = 'Book.query.filter_by(title=title, shelf=connexion.context["token_info"]["shelf"]).first()'
    assert not handler.flow.path_keys(handler.load(shared))  # also keyed by the server's value
