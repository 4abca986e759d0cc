"""pickle_site's legacy Bottle storefront, still serving old carts (sample for AR308)."""

import os

from beaker.middleware import SessionMiddleware
from bottle import Bottle, request, response

SECRET = os.environ["CART_SECRET"]

shop = Bottle()


@shop.get("/cart")
def cart():
    items = request.get_cookie("cart", secret=SECRET)  # expect: AR308[medium]
    theme = request.get_cookie("theme", "light")
    response.content_type = "application/json"
    return {"items": items or [], "theme": theme}


session_options = {
    "session.type": "cookie",  # expect: AR308
    "session.validate_key": SECRET,
    "session.cookie_expires": True,
    "session.secure": True,
    "session.httponly": True,
}
app = SessionMiddleware(shop, session_options)

admin_options = {
    "session.type": "cookie",
    "session.validate_key": SECRET,
    "session.data_serializer": "json",
    "session.secure": True,
    "session.httponly": True,
}
admin = SessionMiddleware(Bottle(), admin_options)
