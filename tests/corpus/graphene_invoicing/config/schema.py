import graphene
import graphql_jwt

from billing.mutations import BillingMutation
from billing.schema import BillingQuery


class Query(BillingQuery, graphene.ObjectType):
    pass


class Mutation(BillingMutation, graphene.ObjectType):
    token_auth = graphql_jwt.ObtainJSONWebToken.Field()
    verify_token = graphql_jwt.Verify.Field()
    refresh_token = graphql_jwt.Refresh.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)
