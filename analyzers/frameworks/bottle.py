"""Bottle: ``@route``/``@get``/``@post`` (module functions or methods of a ``Bottle()`` app), ``method=``.

Bottle hands URL variables to the handler as arguments and the request is the global ``bottle.request``.
"""

from __future__ import annotations

from .concepts import Framework

NAME = Framework.BOTTLE
OWNERS = ("bottle.Bottle()", "bottle.default_app()", "bottle.app()")
# Decorators that are plain functions of the module (they register on the default app).
BARE = tuple(f"bottle.{verb}" for verb in ("route", "get", "post", "put", "patch", "delete"))
