"""Request handlers: shops, products, stock movements, reports."""

from aiohttp import web
from aiohttp_security import check_permission
from sqlalchemy import func, select, text

from .models import DB_SESSION, Product, Shop, StockMovement, User
from .security import issue_token, login_throttle, require_user, verify_password

MOVEMENT_REASONS = frozenset({"received", "sold", "damaged", "returned", "count"})


async def health(request: web.Request) -> web.Response:
    async with request.app[DB_SESSION]() as session:
        await session.execute(text("SELECT 1"))
    return web.json_response({"status": "ok"})


async def token(request: web.Request) -> web.Response:
    if not login_throttle.allow(request.remote or "unknown"):
        raise web.HTTPTooManyRequests(text="Too many attempts")
    body = await request.json()
    email = str(body.get("email", "")).strip().lower()
    password = str(body.get("password", ""))
    async with request.app[DB_SESSION]() as session:
        user = await session.scalar(select(User).where(User.email == email, User.active.is_(True)))
    if user is None or not verify_password(user.password_hash, password):
        raise web.HTTPUnauthorized(text="Invalid email or password")
    return web.json_response({"access_token": issue_token(user), "token_type": "bearer"})


async def list_shops(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with request.app[DB_SESSION]() as session:
        shops = (await session.scalars(select(Shop).where(Shop.owner_id == user.id).order_by(Shop.name))).all()
    return web.json_response([shop.to_dict() for shop in shops])


async def create_shop(request: web.Request) -> web.Response:
    user = await require_user(request)
    body = await request.json()
    shop = Shop(owner_id=user.id, name=str(body.get("name", "")).strip()[:120] or "My shop")
    async with request.app[DB_SESSION]() as session:
        session.add(shop)
        await session.commit()
    return web.json_response(shop.to_dict(), status=201)


async def list_products(request: web.Request) -> web.Response:
    user = await require_user(request)
    shop_id = int(request.match_info["shop_id"])
    async with request.app[DB_SESSION]() as session:
        shop = await session.scalar(select(Shop).where(Shop.id == shop_id, Shop.owner_id == user.id))
        if shop is None:
            raise web.HTTPNotFound()
        products = (await session.scalars(select(Product).where(Product.shop_id == shop.id))).all()
    return web.json_response([product.to_dict() for product in products])


async def create_product(request: web.Request) -> web.Response:
    user = await require_user(request)
    shop_id = int(request.match_info["shop_id"])
    body = await request.json()
    async with request.app[DB_SESSION]() as session:
        shop = await session.scalar(select(Shop).where(Shop.id == shop_id, Shop.owner_id == user.id))
        if shop is None:
            raise web.HTTPNotFound()
        product = Product(
            shop_id=shop.id,
            sku=str(body["sku"])[:64],
            name=str(body["name"])[:200],
            quantity=max(0, int(body.get("quantity", 0))),
            reorder_level=max(0, int(body.get("reorder_level", 0))),
        )
        session.add(product)
        await session.commit()
    return web.json_response(product.to_dict(), status=201)


class ProductView(web.View):
    """One product of one of the caller's shops."""

    async def _product(self, session, user: User) -> Product:
        product = await session.scalar(
            select(Product).join(Shop).where(Product.id == int(self.request.match_info["product_id"]), Shop.owner_id == user.id))
        if product is None:
            raise web.HTTPNotFound()
        return product

    async def get(self) -> web.Response:
        user = await require_user(self.request)
        async with self.request.app[DB_SESSION]() as session:
            product = await session.scalar(select(Product).join(Shop).where(
                Product.id == int(self.request.match_info["product_id"]), Shop.owner_id == user.id))
        if product is None:
            raise web.HTTPNotFound()
        return web.json_response(product.to_dict())

    async def patch(self) -> web.Response:
        user = await require_user(self.request)
        body = await self.request.json()
        async with self.request.app[DB_SESSION]() as session:
            product = await self._product(session, user)
            if "name" in body:
                product.name = str(body["name"])[:200]
            if "reorder_level" in body:
                product.reorder_level = max(0, int(body["reorder_level"]))
            await session.commit()
        return web.json_response(product.to_dict())

    async def delete(self) -> web.Response:
        user = await require_user(self.request)
        async with self.request.app[DB_SESSION]() as session:
            product = await self._product(session, user)
            await session.delete(product)
            await session.commit()
        return web.Response(status=204)


async def product_movements(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with request.app[DB_SESSION]() as session:
        product = await session.scalar(select(Product).join(Shop).where(
            Product.id == int(request.match_info["product_id"]), Shop.owner_id == user.id))
        if product is None:
            raise web.HTTPNotFound()
        movements = (await session.scalars(
            select(StockMovement).where(StockMovement.product_id == product.id).order_by(StockMovement.at.desc()))).all()
    return web.json_response([movement.to_dict() for movement in movements])


async def record_movement(request: web.Request) -> web.Response:
    """A scanner books goods in or out: {"delta": -2, "reason": "sold"}."""
    user = await require_user(request)
    body = await request.json()
    reason = str(body.get("reason", ""))
    if reason not in MOVEMENT_REASONS:
        raise web.HTTPBadRequest(text="Unknown reason")
    async with request.app[DB_SESSION]() as session:
        product = await session.get(Product, int(request.match_info["product_id"]))  # expect: AR102
        if product is None:
            raise web.HTTPNotFound()
        delta = int(body["delta"])
        product.quantity = max(0, product.quantity + delta)
        session.add(StockMovement(product_id=product.id, delta=delta, reason=reason, recorded_by=user.id))
        await session.commit()
    return web.json_response(product.to_dict(), status=201)


async def low_stock_report(request: web.Request) -> web.Response:  # expect: AR101
    """Products at or below their reorder level, for the nightly purchasing e-mail."""
    async with request.app[DB_SESSION]() as session:
        rows = (await session.execute(
            select(Shop.name, Product.sku, Product.name, Product.quantity)
            .join(Product.shop)
            .where(Product.quantity <= Product.reorder_level)
            .order_by(Shop.name, Product.sku))).all()
    return web.json_response([
        {"shop": shop, "sku": sku, "product": name, "quantity": quantity} for shop, sku, name, quantity in rows
    ])


async def all_shops(request: web.Request) -> web.Response:
    await check_permission(request, "admin")
    async with request.app[DB_SESSION]() as session:
        rows = (await session.execute(
            select(Shop, func.count(Product.id)).outerjoin(Product).group_by(Shop.id).order_by(Shop.id))).all()
    return web.json_response([{**shop.to_dict(), "products": count} for shop, count in rows])


async def suspend_shop(request: web.Request) -> web.Response:
    await check_permission(request, "admin")
    async with request.app[DB_SESSION]() as session:
        shop = await session.get(Shop, int(request.match_info["shop_id"]))
        if shop is None:
            raise web.HTTPNotFound()
        shop.suspended = True
        await session.commit()
    return web.json_response(shop.to_dict())
