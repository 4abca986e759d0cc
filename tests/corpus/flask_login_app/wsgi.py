"""Gunicorn entry point: ``gunicorn wsgi:app``."""

from notebook import create_app

app = create_app()
