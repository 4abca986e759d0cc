"""ASGI entry point: ``uvicorn library.app:app``. Routes, validation and security come from spec/library.yaml."""

import connexion

app = connexion.AsyncApp(__name__, specification_dir="spec")
app.add_api("library.yaml", pythonic_params=True, strict_validation=True)
