"""The WSGI application: the sub-apps merged under one root, SQLAlchemy per request, Beaker sessions."""

import os

from beaker.middleware import SessionMiddleware
from bottle import Bottle
from bottle.ext.sqlalchemy import Plugin as SQLAlchemyPlugin
from sqlalchemy import create_engine

from .auth import auth_app
from .models import Base
from .pages import pages_app

engine = create_engine(os.environ["WIKI_DATABASE_URL"], pool_pre_ping=True)
db_plugin = SQLAlchemyPlugin(engine, Base.metadata, keyword="db", create=False, commit=False)

root = Bottle()
for sub_app in (auth_app, pages_app):
    sub_app.install(db_plugin)  # merged routes keep their own app's plugins
    root.merge(sub_app)

SESSION_OPTIONS = {
    "session.type": "ext:database",
    "session.url": os.environ["WIKI_DATABASE_URL"],
    "session.table_name": "beaker_sessions",
    "session.key": "wiki_session",
    "session.secure": True,
    "session.httponly": True,
    "session.samesite": "Lax",
    "session.timeout": 8 * 60 * 60,
    "session.auto": False,
}
application = SessionMiddleware(root, SESSION_OPTIONS)
