"""The framework model for GraphQL servers: graphene, strawberry and ariadne resolvers and mutations, their guards,
and the caller read from ``info.context``."""

from __future__ import annotations

import textwrap

import libcst as cst

from auth_review.analyzers.config import Config
from auth_review.analyzers.context import FileContext
from auth_review.analyzers.frameworks import Framework, HandlerFlow, Route, endpoints, file_routes
from auth_review.analyzers.project import Project
from auth_review.analyzers.source import Source


def _context(code: str, path: str = "app/schema.py") -> FileContext:
    code = textwrap.dedent(code)
    return FileContext(Source(path, code.encode(), code), cst.parse_module(code), Config())


def routes(code: str) -> dict[str, Route]:
    """This file's GraphQL routes by path (``Query.note``, ``Mutation.create_note``)."""
    return {r.path or r.name: r for r in file_routes(_context(code)) if r.framework == Framework.GRAPHQL}


def guard_names(route: Route) -> list[str]:
    return [g.name for g in route.guards]


def test_graphene_root_resolvers_and_mutations_with_their_methods_and_guards() -> None:
    found = routes("""
        import graphene
        from graphql import GraphQLError
        from graphql_jwt.decorators import login_required, staff_member_required
        from .models import Invoice

        class InvoiceType(graphene.ObjectType):
            total = graphene.Int()

            def resolve_total(self, info):
                return Invoice.objects.count()

        class Query(graphene.ObjectType):
            invoice = graphene.Field(InvoiceType, id=graphene.ID(required=True))
            invoices = graphene.List(InvoiceType)
            stats = graphene.Int()
            everything = graphene.List(InvoiceType)

            @login_required
            def resolve_invoice(root, info, id):
                return Invoice.objects.get(pk=id)

            def resolve_invoices(self, info):
                if not info.context.user.is_authenticated:
                    raise GraphQLError("You must be signed in")
                return Invoice.objects.filter(owner=info.context.user)

            def resolve_stats(root, info):
                return Invoice.objects.count()

            @staff_member_required
            def resolve_everything(root, info):
                return Invoice.objects.all()

            def resolve_leftover(root, info):  # no field `leftover`: graphene never calls it
                return 1

        class CreateInvoice(graphene.Mutation):
            class Arguments:
                amount = graphene.Int()

            ok = graphene.Boolean()

            @login_required
            def mutate(root, info, amount):
                Invoice.objects.create(amount=amount, owner=info.context.user)

        class VoidInvoice(graphene.relay.ClientIDMutation):
            class Input:
                id = graphene.ID()

            @classmethod
            def mutate_and_get_payload(cls, root, info, **input):
                Invoice.objects.filter(pk=input["id"]).update(status="void")

        class Mutation(graphene.ObjectType):
            create_invoice = CreateInvoice.Field()
            void = VoidInvoice.Field()
    """)
    assert sorted(found) == ["Mutation.create_invoice", "Mutation.void", "Query.everything", "Query.invoice",
                             "Query.invoices", "Query.stats"]  # InvoiceType.resolve_total is no endpoint
    assert found["Query.invoice"].methods == ("GET",) and guard_names(found["Query.invoice"]) == ["@login_required"]
    assert found["Query.invoice"].label == "GET Query.invoice" and found["Query.invoice"].owner == "Query"
    assert found["Query.invoices"].guards[0].kind == "check"  # `raise GraphQLError` after a test of the caller
    assert not found["Query.stats"].authenticated
    assert found["Query.everything"].role_checked
    assert found["Mutation.create_invoice"].methods == ("POST",)
    assert found["Mutation.create_invoice"].handler.name.value == "mutate"
    assert found["Mutation.void"].handler.name.value == "mutate_and_get_payload"  # mounted as `void`
    assert not found["Mutation.void"].authenticated


def test_graphene_roots_given_to_the_schema_and_their_bases_whatever_their_names() -> None:
    found = routes("""
        import graphene
        from .models import Note

        class Notes(graphene.ObjectType):
            note = graphene.String(id=graphene.ID())

            def resolve_note(root, info, id):
                return Note.objects.get(pk=id).body

        class Root(Notes, graphene.ObjectType):
            pass

        class Detail(graphene.ObjectType):  # a nested type: its resolvers run under a root field
            body = graphene.String()

            def resolve_body(self, info):
                return self.body

        schema = graphene.Schema(query=Root)
    """)
    assert list(found) == ["Query.note"]


def test_strawberry_fields_mutations_and_permission_classes_that_read_the_caller() -> None:
    found = routes("""
        import strawberry
        import strawberry_django
        from strawberry.permission import BasePermission, PermissionExtension
        from strawberry.types import Info
        from strawberry_django.permissions import IsAuthenticated as DjangoAuthenticated, IsStaff
        from accounts.graphql import IsMember

        class IsAuthenticated(BasePermission):
            message = "Sign in"

            def has_permission(self, source, info: Info, **kwargs) -> bool:
                return info.context.request.user.is_authenticated

        class IsAdmin(BasePermission):
            def has_permission(self, source, info: Info, **kwargs) -> bool:
                return info.context["user"] is not None and info.context["user"].is_admin

        class SignedIn(IsAuthenticated):  # has_permission inherited
            message = "Please sign in"

        class FeatureFlag(BasePermission):  # decides by configuration, not by who calls
            def has_permission(self, source, info, **kwargs) -> bool:
                return True

        def list_tags(info: Info) -> list[str]:
            return [t.name for t in info.context.db.scalars(select(Tag))]

        @strawberry.type
        class NoteType:
            @strawberry.field
            def author(self, info: Info) -> str:
                return self.author_name

        @strawberry.type
        class Query:
            tags: list[str] = strawberry.field(resolver=list_tags, permission_classes=[IsAuthenticated])

            @strawberry.field(permission_classes=[IsAuthenticated])
            def note(self, info: Info, id: strawberry.ID) -> NoteType:
                ...

            @strawberry.field(extensions=[PermissionExtension(permissions=[IsAdmin()])])
            def all_notes(self, info: Info) -> list[NoteType]:
                ...

            @strawberry.field(permission_classes=[FeatureFlag])
            def beta(self, info: Info) -> str:
                ...

            @strawberry.field(permission_classes=[SignedIn])
            def inbox(self, info: Info) -> list[NoteType]:
                ...

            @strawberry.field(permission_classes=[IsMember])  # a class this file cannot read: it exists to refuse
            def team(self, info: Info) -> list[NoteType]:
                ...

            @strawberry_django.field(extensions=[DjangoAuthenticated()])
            def drafts(self, info: Info) -> list[NoteType]:
                ...

            @strawberry.field
            def mine(self, info: Info) -> list[NoteType]:
                if info.context["user"] is None:
                    raise PermissionError("Sign in")
                ...

        @strawberry.type
        class Mutation:
            @strawberry.mutation(extensions=[IsStaff()])
            def purge(self, info: Info) -> int:
                ...

            @strawberry.mutation
            def delete_note(self, info: Info, id: strawberry.ID) -> bool:
                ...
    """)
    assert sorted(found) == ["Mutation.delete_note", "Mutation.purge", "Query.all_notes", "Query.beta",
                             "Query.drafts", "Query.inbox", "Query.mine", "Query.note", "Query.tags", "Query.team"]
    assert guard_names(found["Query.note"]) == ["permission_classes=[IsAuthenticated]"]
    assert not found["Query.note"].role_checked
    assert found["Query.all_notes"].role_checked  # is_admin
    assert not found["Query.beta"].authenticated
    assert found["Query.inbox"].authenticated and found["Query.team"].authenticated
    assert found["Query.drafts"].authenticated and not found["Query.drafts"].role_checked
    assert found["Query.mine"].guards[0].kind == "check"
    assert found["Query.tags"].handler.name.value == "list_tags" and found["Query.tags"].authenticated
    assert found["Mutation.purge"].methods == ("POST",) and found["Mutation.purge"].role_checked
    assert not found["Mutation.delete_note"].authenticated


def test_ariadne_bindables_set_field_and_project_decorators_and_helpers() -> None:
    found = routes("""
        from functools import wraps
        from ariadne import MutationType, ObjectType, QueryType
        from graphql import GraphQLError
        from .models import Note

        query = QueryType()
        mutation = MutationType()
        note_type = ObjectType("Note")
        legacy = ObjectType("Mutation")

        def login_required(resolver):
            @wraps(resolver)
            def wrapper(obj, info, **kwargs):
                if info.context["request"].user is None:
                    raise GraphQLError("Authentication required")
                return resolver(obj, info, **kwargs)
            return wrapper

        def logged(resolver):  # wraps without checking anyone
            @wraps(resolver)
            def wrapper(obj, info, **kwargs):
                if info.context.get("trace"):
                    raise GraphQLError("tracing is off")
                return resolver(obj, info, **kwargs)
            return wrapper

        def require_user(info):
            if not info.context["request"].user.is_authenticated:
                raise GraphQLError("Authentication required")
            return info.context["request"].user

        @query.field("note")
        @login_required
        def resolve_note(_, info, id):
            return Note.query.get(id)

        @query.field("notes")
        def resolve_notes(_, info):
            user = require_user(info)
            return Note.query.filter_by(owner_id=user.id).all()

        @query.field("feed")
        @logged
        def resolve_feed(_, info):
            return Note.query.all()

        @mutation.field("deleteNote")
        def resolve_delete_note(_, info, id):
            Note.query.filter_by(id=id).delete()

        @note_type.field("owner")
        def resolve_owner(note, info):
            return note.owner

        def resolve_archive(_, info, id):
            Note.query.get(id).archive()

        legacy.set_field("archiveNote", resolve_archive)
    """)
    assert sorted(found) == ["Mutation.archiveNote", "Mutation.deleteNote", "Query.feed", "Query.note",
                             "Query.notes"]  # Note.owner is a nested field
    assert guard_names(found["Query.note"]) == ["@login_required"] and found["Query.note"].owner == "query"
    assert guard_names(found["Query.notes"]) == ["require_user()"]
    assert not found["Query.feed"].authenticated
    assert found["Mutation.deleteNote"].methods == ("POST",) and not found["Mutation.deleteNote"].authenticated
    assert found["Mutation.archiveNote"].handler.name.value == "resolve_archive"


def test_resolvers_and_bindables_named_in_other_modules_through_the_project() -> None:
    files = {
        "api/__init__.py": "",
        "api/permissions.py": textwrap.dedent("""
            from strawberry.permission import BasePermission

            class IsAuthenticated(BasePermission):
                def has_permission(self, source, info, **kwargs):
                    return info.context.user is not None
        """),
        "api/teams.py": textwrap.dedent("""
            from strawberry.types import Info

            def my_teams(info: Info):
                return info.context.db.scalars(select(Team).where(Team.owner_id == info.context.user.id))

            def every_team(info: Info):
                return info.context.db.scalars(select(Team))
        """),
        "api/bindables.py": textwrap.dedent("""
            from ariadne import QueryType

            query = QueryType()
        """),
        "api/reports.py": textwrap.dedent("""
            from .bindables import query

            @query.field("report")
            def resolve_report(_, info, id):
                return Report.query.get(id)
        """),
        "api/schema.py": textwrap.dedent("""
            import strawberry
            from .permissions import IsAuthenticated
            from .teams import every_team, my_teams

            @strawberry.type
            class Root:
                teams: list[str] = strawberry.field(resolver=my_teams, permission_classes=[IsAuthenticated])
                all_teams: list[str] = strawberry.field(resolver=every_team)

            schema = strawberry.Schema(query=Root)
        """),
    }
    project = Project(sorted(files), lambda path: files[path].encode(), Config())
    teams = {r.path: r for r in file_routes(project.context_for_path("api/teams.py"))}
    assert set(teams) == {"Query.teams", "Query.all_teams"}
    assert guard_names(teams["Query.teams"]) == ["permission_classes=[IsAuthenticated]"]
    assert not teams["Query.all_teams"].authenticated
    reports = file_routes(project.context_for_path("api/reports.py"))
    assert [r.path for r in reports] == ["Query.report"]


def test_resolver_arguments_are_the_clients_and_the_caller_is_read_from_info_context() -> None:
    ctx = _context("""
        import graphene
        from sqlalchemy import select
        from .models import Note

        class Query(graphene.ObjectType):
            a = graphene.String(id=graphene.ID())
            b = graphene.String(id=graphene.ID())
            c = graphene.String(id=graphene.ID())
            d = graphene.String(id=graphene.ID())

            def resolve_a(root, info, id):
                return Note.objects.get(pk=id, owner=info.context.user)

            def resolve_b(root, info, id):
                return Note.objects.get(pk=id, owner=info.context.request.user)

            def resolve_c(root, info, id):
                return Note.objects.get(pk=id, owner=info.context["request"].user)

            def resolve_d(root, info, id):
                db = info.context["db"]
                return db.scalar(select(Note).where(Note.id == id, Note.owner_id == info.context["user"].id))
    """)
    by_path = {e.path: e for e in endpoints(ctx)}
    assert set(by_path) == {"Query.a", "Query.b", "Query.c", "Query.d"}
    for path, endpoint in by_path.items():
        flow = HandlerFlow.build(ctx, endpoint.function, endpoint.framework)
        params = {p.name.value: p.name for p in endpoint.function.params.params}
        assert flow.client_source(params["id"]) == "query parameter id", path
        assert not flow.is_client(params["info"]) and not flow.is_client(params["root"])
        assert flow.principal_expressions(), path  # the owner filter reads the caller
        assert flow.loads and flow.loads_by_client_id(flow.loads[0]) and flow.scoped_to_user(flow.loads[0]), path
    d = HandlerFlow.build(ctx, by_path["Query.d"].function, Framework.GRAPHQL)
    assert [ctx.code(e) for e in d.principal_expressions()] == ['info.context["user"].id']  # not info.context["db"]
