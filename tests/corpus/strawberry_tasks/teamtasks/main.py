from fastapi import FastAPI
from strawberry.fastapi import GraphQLRouter

from .auth import get_context
from .schema import schema

graphql_app = GraphQLRouter(schema, context_getter=get_context)

app = FastAPI(title="Team tasks")
app.include_router(graphql_app, prefix="/graphql")


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
