"""aiohttp: ``RouteTableDef`` decorators (aiohttp-security checks are read by the neutral guards)."""

from __future__ import annotations

from .concepts import Framework

NAME = Framework.AIOHTTP
# Objects whose ``.get``/``.post``/``.route`` decorators register routes.
OWNERS = ("aiohttp.web.RouteTableDef()", "aiohttp.web_routedef.RouteTableDef()")
