"""A graphene API whose resolvers check passwords (sample for AR107).

Resolvers are endpoints: a query that takes a username and a password and checks them with a helper, or a
mutation that looks the user up by the password the client sent, is a login, and nothing limits how often it
may be called (one finding for the app, on the first login, naming the others). A resolver that looks up a
product by its code, or compares names, checks no credential.
"""

import graphene
from graphql import GraphQLError

from .models import Product, User
from .security import digest_of
from .system import run_diagnostics


def credentials_match(username, password, stored_digest):
    if username != "admin":
        return False, "Unknown user"
    if digest_of(password) == stored_digest:
        return True, "Password accepted"
    return False, "Wrong password"


def same_name(given, expected):
    return given.strip().lower() == expected.strip().lower()


class ProductType(graphene.ObjectType):
    code = graphene.String()
    name = graphene.String()


class Query(graphene.ObjectType):
    diagnostics = graphene.String(username=graphene.String(), password=graphene.String())
    product = graphene.Field(ProductType, code=graphene.String(required=True))
    greeting = graphene.String(name=graphene.String())

    def resolve_diagnostics(self, info, username, password):
        admin = User.query.filter_by(username="admin").first()
        ok, message = credentials_match(username, password, admin.password_digest)
        if not ok:
            return message
        return run_diagnostics()

    def resolve_product(self, info, code):
        product = Product.query.filter_by(code=code).first()
        if product is None:
            raise GraphQLError("No such product")
        return product

    def resolve_greeting(self, info, name):
        if same_name(name, "world"):
            return "Hello, world"
        return f"Hello, {name}"


class Login(graphene.Mutation):
    ok = graphene.Boolean()

    class Arguments:
        username = graphene.String()
        password = graphene.String()

    def mutate(self, info, username, password):  # expect: AR107
        user = User.query.filter_by(username=username, password_digest=digest_of(password)).first()
        if not user:
            raise GraphQLError("Authentication failure")
        info.context.session["user_id"] = user.id
        return Login(ok=True)


class Mutation(graphene.ObjectType):
    login = Login.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)
