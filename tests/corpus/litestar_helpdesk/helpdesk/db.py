import os

from litestar.plugins.sqlalchemy import SQLAlchemyAsyncConfig
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
session_maker = async_sessionmaker(engine, expire_on_commit=False)
db_config = SQLAlchemyAsyncConfig(engine_instance=engine, session_maker=session_maker)
