from functools import wraps

from graphql import GraphQLError


def verified_account_required(resolver):
    """Signed in and e-mail verified: sending invoices on someone's behalf needs both."""

    @wraps(resolver)
    def wrapper(root, info, *args, **kwargs):
        user = info.context.user
        if not user.is_authenticated or not user.email_verified:
            raise GraphQLError("A verified account is required")
        return resolver(root, info, *args, **kwargs)

    return wrapper
