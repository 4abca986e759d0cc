"""A seller's products and their stock. The whole namespace needs an API key."""

from flask import g
from flask_restx import Namespace, Resource, abort, fields

from ..auth import api_key_required
from ..models import Product, StockMovement, Warehouse, db

ns = Namespace("products", description="Your products and their stock", decorators=[api_key_required])

product_in = ns.model("ProductIn", {
    "sku": fields.String(required=True, max_length=40),
    "name": fields.String(required=True, max_length=200),
    "warehouse_id": fields.Integer(required=True),
    "unit_cost_cents": fields.Integer(min=0),
})
product_out = ns.model("Product", {
    "id": fields.Integer,
    "sku": fields.String,
    "name": fields.String,
    "warehouse_id": fields.Integer,
    "quantity": fields.Integer,
    "unit_cost_cents": fields.Integer,
})
movement_in = ns.model("StockMovementIn", {
    "delta": fields.Integer(required=True),
    "reason": fields.String(required=True, enum=["inbound", "sale", "return", "adjustment"]),
})


@ns.route("/")
class ProductList(Resource):
    @ns.marshal_list_with(product_out)
    def get(self):
        return Product.query.filter_by(seller_id=g.current_account.id).order_by(Product.sku).all()

    @ns.expect(product_in, validate=True)
    @ns.marshal_with(product_out, code=201)
    def post(self):
        data = ns.payload
        warehouse = db.get_or_404(Warehouse, data["warehouse_id"])
        product = Product(seller_id=g.current_account.id, warehouse_id=warehouse.id, sku=data["sku"],
                          name=data["name"], unit_cost_cents=data.get("unit_cost_cents", 0))
        db.session.add(product)
        db.session.commit()
        return product, 201


@ns.route("/<int:product_id>")
class ProductItem(Resource):
    @ns.marshal_with(product_out)
    def get(self, product_id):
        return Product.query.filter_by(id=product_id, seller_id=g.current_account.id).first_or_404()

    @ns.expect(product_in, validate=True)
    @ns.marshal_with(product_out)
    def put(self, product_id):
        product = Product.query.get_or_404(product_id)  # expect: AR102
        data = ns.payload
        product.name = data["name"]
        product.unit_cost_cents = data.get("unit_cost_cents", product.unit_cost_cents)
        db.session.commit()
        return product

    def delete(self, product_id):
        product = Product.query.filter_by(id=product_id, seller_id=g.current_account.id).first_or_404()
        if product.quantity:
            abort(409, "Ship out or write off the remaining stock first")
        db.session.delete(product)
        db.session.commit()
        return "", 204


@ns.route("/<int:product_id>/movements")
class ProductMovements(Resource):
    @ns.expect(movement_in, validate=True)
    @ns.marshal_with(product_out, code=201)
    def post(self, product_id):
        product = db.get_or_404(Product, product_id)
        if product.seller_id != g.current_account.id:
            abort(404)
        data = ns.payload
        if product.quantity + data["delta"] < 0:
            abort(409, "Not enough stock")
        product.quantity += data["delta"]
        db.session.add(StockMovement(product_id=product.id, delta=data["delta"], reason=data["reason"]))
        db.session.commit()
        return product, 201
