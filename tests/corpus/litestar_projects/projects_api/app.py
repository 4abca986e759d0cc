"""The Litestar application: server-side sessions in Redis, a global rate limit, SQLAlchemy."""

from litestar import Litestar, get
from litestar.config.cors import CORSConfig
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.middleware.session.server_side import ServerSideSessionConfig
from litestar.plugins.sqlalchemy import SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from litestar.stores.redis import RedisStore

from .auth import login, logout, me
from .controllers import ProjectController, workload
from .settings import settings

session_config = ServerSideSessionConfig(max_age=settings.session_max_age, secure=True, httponly=True, samesite="lax")
rate_limit_config = RateLimitConfig(rate_limit=("minute", 60), exclude=["/schema", "/health"])
redis_store = RedisStore.with_client(url=settings.redis_url)
db_config = SQLAlchemyAsyncConfig(connection_string=settings.database_url, create_all=False)


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


app = Litestar(
    route_handlers=[health, login, logout, me, ProjectController, workload],
    middleware=[rate_limit_config.middleware, session_config.middleware],
    stores={
        "sessions": redis_store.with_namespace("sessions"),
        "rate_limit": redis_store.with_namespace("rate_limit"),
        "login_rate_limit": redis_store.with_namespace("login_rate_limit"),
    },
    plugins=[SQLAlchemyPlugin(config=db_config)],
    cors_config=CORSConfig(allow_origins=list(settings.allowed_origins), allow_credentials=True),
)
