"""The operator's warehouses. Each resource declares ``method_decorators`` itself."""

from flask_restx import Namespace, Resource, fields

from ..auth import api_key_required
from ..models import Account, Product, Warehouse, db

ns = Namespace("warehouses", description="Where your stock can be kept")

warehouse_out = ns.model("Warehouse", {"id": fields.Integer, "code": fields.String, "city": fields.String})
stock_line = ns.model("StockLine", {
    "seller": fields.String,
    "sku": fields.String,
    "name": fields.String,
    "quantity": fields.Integer,
})


@ns.route("/")
class WarehouseList(Resource):
    method_decorators = [api_key_required]

    @ns.marshal_list_with(warehouse_out)
    def get(self):
        return Warehouse.query.order_by(Warehouse.code).all()


@ns.route("/<int:warehouse_id>")
class WarehouseItem(Resource):
    method_decorators = [api_key_required]

    @ns.marshal_with(warehouse_out)
    def get(self, warehouse_id):
        return db.get_or_404(Warehouse, warehouse_id)


@ns.route("/<int:warehouse_id>/stock")
class WarehouseStock(Resource):  # expect: AR101
    """Capacity planning for the operator's staff."""

    @ns.marshal_list_with(stock_line)
    def get(self, warehouse_id):
        rows = (
            db.session.query(Account.company, Product.sku, Product.name, Product.quantity)
            .select_from(Product)
            .join(Account, Account.id == Product.seller_id)
            .filter(Product.warehouse_id == warehouse_id)
            .all()
        )
        return [{"seller": company, "sku": sku, "name": name, "quantity": qty} for company, sku, name, qty in rows]
