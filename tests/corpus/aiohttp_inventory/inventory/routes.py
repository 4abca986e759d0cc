"""URL table."""

from aiohttp import web

from . import views


def setup_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/api/health", views.health)
    router.add_post("/api/token", views.token)
    router.add_get("/api/shops", views.list_shops)
    router.add_post("/api/shops", views.create_shop)
    router.add_get(r"/api/shops/{shop_id:\d+}/products", views.list_products)
    router.add_post(r"/api/shops/{shop_id:\d+}/products", views.create_product)
    router.add_view(r"/api/products/{product_id:\d+}", views.ProductView)
    router.add_get(r"/api/products/{product_id:\d+}/movements", views.product_movements)
    router.add_route("POST", r"/api/products/{product_id:\d+}/movements", views.record_movement)
    router.add_get("/api/reports/low-stock", views.low_stock_report)
    app.add_routes([
        web.get("/api/admin/shops", views.all_shops),
        web.post(r"/api/admin/shops/{shop_id:\d+}/suspend", views.suspend_shop),
    ])
