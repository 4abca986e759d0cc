"""The connexion app: ``gunicorn petclinic.app:app``. The OpenAPI document is the route table."""

import os

import connexion

from .auth import limiter
from .models import db

app = connexion.FlaskApp(__name__, specification_dir="openapi/")
app.add_api("petclinic.yaml", strict_validation=True)

flask_app = app.app
flask_app.config.update(
    SQLALCHEMY_DATABASE_URI=os.environ["PETCLINIC_DATABASE_URL"],
    SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
)
db.init_app(flask_app)
limiter.init_app(flask_app)
