"""The flask-restx ``Api``: one namespace per module."""

from flask_restx import Api

from .products import ns as products_ns
from .warehouses import ns as warehouses_ns

authorizations = {"apikey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}

api = Api(title="Marketplace inventory", version="1.0", authorizations=authorizations, security="apikey",
          doc="/docs")
api.add_namespace(products_ns, path="/products")
api.add_namespace(warehouses_ns, path="/warehouses")
