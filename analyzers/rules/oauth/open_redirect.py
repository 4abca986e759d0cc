"""AR405 open-redirect: redirects to a URL the request supplies, unchecked."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from ... import markup
from ...context import FileContext
from ...findings import Confidence, Severity
from ...frameworks import names_read, resolve_class
from ...rule import Invalid, Rule
from ...words import split_words
from .._common import handler_flow, own_nodes
from ._shared import local_values, url_pieces

_REDIRECTS = frozenset({
    "flask.redirect", "flask.helpers.redirect", "werkzeug.utils.redirect", "werkzeug.redirect", "quart.redirect",
    "quart.helpers.redirect", "sanic.response.redirect", "sanic.redirect",
    "django.shortcuts.redirect", "django.http.HttpResponseRedirect", "django.http.HttpResponsePermanentRedirect",
    "django.http.response.HttpResponseRedirect", "django.http.response.HttpResponsePermanentRedirect",
    "starlette.responses.RedirectResponse", "fastapi.responses.RedirectResponse", "fastapi.RedirectResponse",
    "litestar.response.Redirect", "litestar.Redirect",
    "bottle.redirect",
    *(f"{module}.{name}" for module in ("aiohttp.web", "aiohttp.web_exceptions", "falcon", "falcon.redirects",
                                         "pyramid.httpexceptions")
      for name in ("HTTPFound", "HTTPSeeOther", "HTTPMovedPermanently", "HTTPTemporaryRedirect", "HTTPPermanentRedirect")),
})
_REDIRECT_KEYWORDS = ("location", "to", "redirect_to", "url", "path")
# Methods that set one response header: ``resp.headers.set("Location", url)``, Tornado's and Bottle's ``set_header``.
_HEADER_SETTERS = frozenset({"set", "add", "setdefault", "set_header", "add_header", "append_header", "__setitem__"})
_URL_JOINS = frozenset({"urllib.parse.urljoin", "urlparse.urljoin", "requests.compat.urljoin", "werkzeug.urls.url_join"})
# Client data the handler flow does not model: a Tornado handler's arguments, Bottle's global request.
_TORNADO_ARGUMENTS = frozenset({"get_argument", "get_arguments", "get_query_argument", "get_query_arguments",
                                "get_body_argument", "get_body_arguments"})
_TORNADO_REQUEST_ATTRS = frozenset({"arguments", "query_arguments", "body_arguments"})
_REFERER = re.compile(r"(?:headers|META|environ|get_header)\W.*\brefere?r|HTTP_REFERER|\.referr?er\b", re.IGNORECASE)
_BOTTLE_SOURCE = re.compile(r"^bottle\.request\.(?:query|forms|params|GET|POST|json|files|headers|cookies|"
                            r"query_string|get_header|get_cookie|body)(?:\.|$)")
# Words of a helper's name that say it vets a URL (``is_safe_url``, ``url_has_allowed_host_and_scheme``).
_SAFE_WORDS = frozenset({"safe", "allowed", "allow", "allowlist", "allowlisted", "whitelist", "whitelisted", "trusted",
                         "permitted", "valid", "validate", "validated", "sanitize", "sanitise", "sanitized", "internal",
                         "relative", "local", "same"})
_CHECK_WORDS = frozenset({"check", "verify", "ensure", "is", "assert", "require", "match", "matches"})
_URL_WORDS = frozenset({"url", "uri", "next", "redirect", "host", "hostname", "domain", "origin", "target", "location",
                        "return", "netloc", "dest", "destination"})
_URL_PARTS = re.compile(r"\b(?:netloc|hostname|host|scheme|origin|domain|port)\b")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_ORIGIN_FIXED = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#\\\s]+[/?#\\]")


def _quote_normal(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("'", '"'))


def _fixes_origin(prefix: str) -> bool:
    """Whether a URL that starts with ``prefix`` can only point at one origin (``/notes/``, ``https://a.io/``)."""
    if not prefix:
        return False
    if prefix.startswith(("/", "\\")):
        return len(prefix) > 1 and prefix[1] not in "/\\"
    if _SCHEME.match(prefix):
        return bool(_ORIGIN_FIXED.match(prefix))
    return not prefix[0].isspace()  # a relative path (``profile/``, ``?tab=``) stays on this origin


def _response_like(expr: cst.BaseExpression) -> bool:
    """``resp``, ``response``, ``self.response``: a response object, not a model with a ``location`` field."""
    name = expr.attr.value if isinstance(expr, cst.Attribute) else expr.value if isinstance(expr, cst.Name) else ""
    return bool({"resp", "response", "res"} & set(split_words(name)))


def _headers_object(func: cst.BaseExpression) -> bool:
    """``resp.headers.set``, ``headers.add``: a method of a header collection (not ``cache.set("location", ...)``)."""
    receiver = func.value if isinstance(func, cst.Attribute) else None
    name = receiver.attr.value if isinstance(receiver, cst.Attribute) else \
        receiver.value if isinstance(receiver, cst.Name) else ""
    return "header" in name.lower()


def _index(subscript: cst.Subscript) -> cst.BaseExpression | None:
    if len(subscript.slice) == 1 and isinstance(subscript.slice[0].slice, cst.Index):
        return subscript.slice[0].slice.value
    return None


def _derives_from_tornado(ctx: FileContext, cls: cst.ClassDef, depth: int) -> bool:
    if depth > 4:
        return False
    for base in cls.bases:
        if base.keyword is not None:
            continue
        if (ctx.qualname(base.value) or "").startswith("tornado."):
            return True
        found = resolve_class(ctx, base.value)
        if found is not None and found[1] is not cls and _derives_from_tornado(found[0], found[1], depth + 1):
            return True
    return False


class OpenRedirect(Rule):
    """What it does: flags redirects (``redirect()`` of Flask, Werkzeug, Django and Bottle, ``RedirectResponse``,
    ``HttpResponseRedirect``, the ``HTTPFound`` family of aiohttp, Falcon and Pyramid, Tornado's
    ``self.redirect``, a ``Location`` header however it is set) to a URL the request supplies (``next``,
    ``return_to``, ``redirect_uri``, a query parameter), also through ``urljoin(BASE, url)``, when nothing in
    the handler checks it first: no ``url_has_allowed_host_and_scheme``/``is_safe_url``-style helper, no
    ``urlparse(url).netloc`` test, no comparison with an allow-list. URLs whose scheme and host (or leading
    ``/path``) are fixed by the code, targets looked up in the app's own table, and redirects back to the
    ``Referer`` (the browser sets it; it leads back to the page the user came from) are not reported.

    Why is this bad: a link to a trusted site that bounces the victim to an attacker's page
    (``https://shop.example/logout?next=https://evil.example``) makes phishing pages credible and can
    leak OAuth codes and tokens carried in the URL. A check that the URL only starts with ``/`` is not
    enough: ``//evil.example`` is a full URL to browsers.

    Example:
        @bp.get("/logout")
        def logout():
            logout_user()
            return redirect(request.args.get("next", "/"))

    Use instead:
        @bp.get("/logout")
        def logout():
            logout_user()
            target = request.args.get("next", "/")
            if urlparse(target).netloc or not target.startswith("/") or target.startswith("//"):
                target = "/"
            return redirect(target)
    """

    id = "AR405"
    name = "open-redirect"
    title = "Redirect to a request-supplied URL"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    cwe = 601
    prefilter = re.compile(r"[Rr]edirect|[Ll]ocation|LOCATION|HTTPFound|HTTPSeeOther|HTTPMovedPermanently|HTTPTemporaryRedirect|"
                           r"HTTPPermanentRedirect")
    in_tests = False

    VALID = [
        # The target is our own route.
        "from flask import Flask, redirect, request, url_for\napp = Flask(__name__)\n"
        "@app.get('/login')\ndef login():\n    return redirect(url_for('auth.two_factor', next=request.args.get('next')))\n",
        # Checked by a helper that says so.
        "from flask import Flask, redirect, request, url_for\nfrom .security import is_safe_redirect_url\n"
        "app = Flask(__name__)\n@app.post('/login')\ndef login():\n    next_url = request.args.get('next')\n"
        "    if not is_safe_redirect_url(next_url):\n        next_url = url_for('index')\n    return redirect(next_url)\n",
        # Django's own check.
        "from django.shortcuts import redirect\nfrom django.utils.http import url_has_allowed_host_and_scheme\n"
        "def done(request):\n    nxt = request.GET.get('next', '/')\n"
        "    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):\n        nxt = '/'\n"
        "    return redirect(nxt)\n",
        # Host checked through urlparse.
        "from urllib.parse import urlparse\nfrom flask import Flask, redirect, request\napp = Flask(__name__)\n"
        "@app.get('/back')\ndef back():\n    target = request.args.get('return_to', '/')\n    parsed = urlparse(target)\n"
        "    if parsed.scheme != 'https' or parsed.hostname not in ALLOWED_HOSTS:\n        target = '/'\n"
        "    return redirect(target)\n",
        "from urllib.parse import urlsplit\nfrom flask import Flask, redirect, request, url_for\napp = Flask(__name__)\n"
        "@app.post('/login')\ndef login():\n    next_page = request.args.get('next')\n"
        "    if not next_page or urlsplit(next_page).netloc:\n        next_page = url_for('index')\n"
        "    return redirect(next_page)\n",
        # Relative paths only.
        "from flask import Flask, redirect, request\napp = Flask(__name__)\n@app.get('/back')\ndef back():\n"
        "    target = request.args.get('next', '/')\n"
        "    if not target.startswith('/') or target.startswith('//'):\n        target = '/'\n    return redirect(target)\n",
        # An exact allow-list.
        "from starlette.responses import RedirectResponse\nRETURN = {'/a', '/b'}\n"
        "async def back(request):\n    target = request.query_params.get('to')\n"
        "    return RedirectResponse(target if target in RETURN else '/')\n",
        # The path is ours; the client only picks a segment or a query value.
        "from flask import Flask, redirect, request\napp = Flask(__name__)\n@app.get('/go')\ndef go():\n"
        "    return redirect(f\"/notes/{request.args['id']}?tab={request.args.get('tab')}\")\n",
        "from django.shortcuts import redirect\ndef go(request):\n"
        "    return redirect('https://docs.example.org/' + request.GET['page'])\n",
        "from fastapi.responses import RedirectResponse\nfrom app.config import settings\n"
        "def go(token: str):\n    return RedirectResponse(f'{settings.FRONTEND_URL}/reset?token={token}')\n",
        # Not client data: the session, the request's own URL, a server-side value.
        "from starlette.responses import RedirectResponse\nasync def done(request):\n"
        "    return RedirectResponse(request.session.pop('next', '/'))\n",
        "from flask import redirect, request\ndef again():\n    return redirect(request.url)\n",
        # The referring page: not an attacker-chosen parameter.
        "from django.shortcuts import redirect\ndef back(request):\n"
        "    return redirect(request.META.get('HTTP_REFERER', '/'))\n",
        "from flask import Flask, redirect, request, url_for\napp = Flask(__name__)\n@app.post('/lang')\ndef lang():\n"
        "    return redirect(request.referrer or url_for('index'))\n",
        "from aiohttp import hdrs, web\nasync def back(request):\n"
        "    raise web.HTTPFound(request.headers.get(hdrs.REFERER, '/'))\n",
        # A target looked up in our own table, or one of our endpoints (url_for raises on unknown ones).
        "from flask import Flask, redirect, request, url_for\napp = Flask(__name__)\nTARGETS = {'docs': '/docs'}\n"
        "@app.get('/go')\ndef go():\n    return redirect(TARGETS.get(request.args.get('to'), '/'))\n",
        "from flask import Flask, redirect, request, url_for\napp = Flask(__name__)\n"
        "@app.get('/jump')\ndef jump():\n    return redirect(url_for(request.args['endpoint']))\n",
        # A Tornado handler that checks the host.
        "import tornado.web\nfrom urllib.parse import urlparse\nclass Back(tornado.web.RequestHandler):\n"
        "    def get(self):\n        target = self.get_argument('next', '/')\n"
        "        if urlparse(target).netloc:\n            target = '/'\n        self.redirect(target)\n",
        # A JSON body with a "location" field, a model's location: no header.
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/places')\ndef add_place():\n"
        "    place.location = request.json['location']\n    return {'location': request.json['location']}, 201\n",
    ]
    INVALID = [
        Invalid(
            "from flask import Flask, redirect, request\napp = Flask(__name__)\n"
            "@app.get('/logout')\ndef logout():\n    return redirect(request.args.get('next', '/'))\n",
        ),
        Invalid(
            "from django.shortcuts import redirect\ndef logout_view(request):\n"
            "    return redirect(request.GET.get('next') or '/')\n",
        ),
        Invalid(
            "from fastapi import FastAPI\nfrom fastapi.responses import RedirectResponse\napp = FastAPI()\n"
            "@app.get('/callback')\ndef callback(redirect_uri: str):\n    return RedirectResponse(url=redirect_uri)\n",
        ),
        Invalid(
            "from flask import Flask, redirect, request\napp = Flask(__name__)\n@app.get('/billing/return')\n"
            "def billing_return():\n    return_to = request.args.get('return_to', '/invoices')\n"
            "    return redirect(return_to)\n",
        ),
        # A check that the URL starts with "/" lets "//evil.example" through: reported, with low confidence.
        Invalid(
            "from flask import Flask, redirect, request\napp = Flask(__name__)\n@app.get('/back')\ndef back():\n"
            "    target = request.args.get('next', '/')\n    if not target.startswith('/'):\n        target = '/'\n"
            "    return redirect(target)\n",
        ),
        # The host is the client's.
        "from django.http import HttpResponseRedirect\ndef go(request):\n"
        "    return HttpResponseRedirect('https://' + request.GET['host'] + '/welcome')\n",
        # A Location header.
        "from django.http import HttpResponse\ndef go(request):\n    response = HttpResponse(status=302)\n"
        "    response['Location'] = request.GET['to']\n    return response\n",
        "from starlette.responses import Response\nasync def go(request):\n"
        "    return Response(status_code=303, headers={'Location': request.query_params['to']})\n",
        "from flask import Flask, request\napp = Flask(__name__)\n@app.get('/out')\ndef out():\n"
        "    return '', 302, {'Location': request.args['url']}\n",
        # Tornado, Bottle, Falcon, Pyramid.
        "import tornado.web\nclass Login(tornado.web.RequestHandler):\n    def post(self):\n"
        "        self.redirect(self.get_argument('next', '/'))\n",
        "import bottle\nfrom bottle import request\n@bottle.post('/logout')\ndef logout():\n"
        "    bottle.redirect(request.query.next or '/')\n",
        "import falcon\nclass Out:\n    def on_get(self, req, resp):\n"
        "        raise falcon.HTTPFound(req.get_param('url'))\n",
        "from pyramid.httpexceptions import HTTPFound\ndef login(request):\n"
        "    return HTTPFound(location=request.params['came_from'])\n",
        # Header setters, and urljoin, whose absolute second argument replaces the base.
        "from flask import Flask, make_response, request\napp = Flask(__name__)\n@app.get('/out')\ndef out():\n"
        "    resp = make_response('', 302)\n    resp.headers.set('Location', request.args['url'])\n    return resp\n",
        "from urllib.parse import urljoin\nfrom flask import Flask, redirect, request\napp = Flask(__name__)\n"
        "@app.get('/go')\ndef go():\n    return redirect(urljoin(request.host_url, request.args['path']))\n",
        # A form field the page round-trips.
        "from flask import Flask, redirect, request, url_for\napp = Flask(__name__)\n@app.post('/2fa')\ndef two_factor():\n"
        "    form = TwoFactorForm(next=request.args.get('next', ''))\n    if form.validate_on_submit():\n"
        "        return redirect(form.next.data or url_for('index'))\n",
    ]

    _tornado = False  # the function being checked is a Tornado handler's method

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._tornado = self._tornado_handler(node)
        sinks = list(self._sinks(node))
        if not sinks:
            return
        flow, label, endpoint = handler_flow(self.ctx, node)
        cls = self.ctx.enclosing(cst.ClassDef)
        if not endpoint and self._tornado and isinstance(cls, cst.ClassDef):
            label = f"{cls.name.value}.{node.name.value}()"
        values = local_values(node)
        for anchor, target, what in sinks:
            danger = self._dangerous(flow, values, target, 0, frozenset())
            if danger is None:
                continue
            source = flow.client_source_markdown(danger) or markup.code(self.ctx.code(danger))
            if not endpoint and source.startswith("path parameter"):
                continue  # a helper's own parameters: its callers decide what they hold
            strength = self._checked(node, flow, values, target, danger)
            if strength == "strong":
                continue
            advice = ("check it with `url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})`"
                      if self._django() else
                      "accept only relative paths (`/...`, not `//...`) or hosts on an allow-list "
                      "(`urlparse(url).netloc in ALLOWED_HOSTS`)")
            if strength == "weak":
                self.report(anchor, f"{markup.code(label)} {what} {source} after checking only that it starts with \"/\": "
                            f"\"//evil.example\" passes that test and leaves the site; {advice}",
                            confidence=Confidence.MEDIUM)  # the known bypass: right 1 time in 1 on real code
            else:
                self.report(anchor, f"{markup.code(label)} {what} {source}, which the client chooses, with no allow-list check: "
                            f"a link to this site can bounce users to any other (phishing, leaked codes); {advice}")

    def _django(self) -> bool:
        return any(q.startswith("django.") for q in self.ctx.index.imports.values())

    # --- sinks ------------------------------------------------------------------------
    def _sinks(self, function: cst.FunctionDef) -> Iterator[tuple[cst.CSTNode, cst.BaseExpression, str]]:
        ctx = self.ctx
        tornado = self._tornado
        for node in own_nodes(function):
            if isinstance(node, cst.Call):
                name = ctx.qualname(node.func) or ""
                func = node.func
                method = func.attr.value if isinstance(func, cst.Attribute) else ""
                if name in _REDIRECTS or (tornado and method == "redirect" and isinstance(func, cst.Attribute)
                                          and isinstance(func.value, cst.Name) and func.value.value == "self"):
                    target = next((ctx.argument(node, k) for k in _REDIRECT_KEYWORDS if ctx.keyword(node, k)), None)
                    if target is None:
                        first = ctx.positional(node, 0)
                        target = first.value if first is not None and not first.star else None
                    if target is not None:
                        yield node, target, "redirects to"
                    continue
                if method in _HEADER_SETTERS and (method.endswith("_header") or _headers_object(func)):
                    header, content = ctx.positional(node, 0), ctx.positional(node, 1)
                    if header is not None and content is not None and not content.star and \
                            self._is_location(header.value):
                        yield node, content.value, "sends a `Location` header with"  # resp.headers.set("Location", url)
                        continue
                tail = method or (func.value if isinstance(func, cst.Name) else "")
                if "response" in tail.lower():  # Response(status=302, headers={"Location": url}), make_response(...)
                    for index, arg in enumerate(node.args):  # not the first: the body, whose keys are data
                        if (arg.keyword is None and index > 0 and not arg.star) or \
                                (arg.keyword is not None and arg.keyword.value == "headers"):
                            for location in self._locations(arg.value):
                                yield node, location, "sends a `Location` header with"
            elif isinstance(node, cst.Assign):
                for assigned in node.targets:
                    where = assigned.target
                    if isinstance(where, cst.Subscript) and self._is_location(_index(where)):
                        yield node, node.value, "sends a `Location` header with"
                    elif isinstance(where, cst.Attribute) and where.attr.value == "location" and \
                            _response_like(where.value):
                        yield node, node.value, "sends a `Location` header with"  # Werkzeug's/Falcon's resp.location
            elif isinstance(node, cst.Return) and isinstance(node.value, cst.Tuple):
                for element in node.value.elements[1:]:  # Flask: ``return "", 302, {"Location": url}``
                    for location in self._locations(element.value):
                        yield node, location, "sends a `Location` header with"

    def _locations(self, headers: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
        """The ``Location`` values of a header dict or list of pairs."""
        if isinstance(headers, cst.Dict):
            for item in headers.elements:
                if isinstance(item, cst.DictElement) and self._is_location(item.key):
                    yield item.value
        elif isinstance(headers, (cst.List, cst.Tuple)):
            for element in headers.elements:
                pair = element.value
                if isinstance(pair, cst.Tuple) and len(pair.elements) == 2 and self._is_location(pair.elements[0].value):
                    yield pair.elements[1].value

    def _is_location(self, key: cst.BaseExpression | None) -> bool:
        """``"Location"`` in any case, or a constant for it (aiohttp's ``hdrs.LOCATION``)."""
        if key is None:
            return False
        if (self.ctx.string(key) or "").lower() == "location":
            return True
        return isinstance(key, cst.Attribute) and key.attr.value == "LOCATION"

    def _tornado_handler(self, function: cst.FunctionDef) -> bool:
        """A method of a Tornado ``RequestHandler`` (through the project's own base classes)."""
        cls = self.ctx.enclosing(cst.ClassDef)
        if not isinstance(cls, cst.ClassDef) or function not in cls.body.body:
            return False
        return _derives_from_tornado(self.ctx, cls, 0)

    # --- is the target the client's? ----------------------------------------------------
    def _dangerous(self, flow, values: dict[str, list[cst.BaseExpression]], expr: cst.BaseExpression,
                   depth: int, seen: frozenset[str], extra_only: bool = False) -> cst.BaseExpression | None:
        """The client-supplied part of ``expr`` that decides where the redirect goes, or None.

        ``extra_only``: follow only the client data the handler flow does not model (``_extra_source``)."""
        if depth > 8:
            return None
        while isinstance(expr, cst.Await):
            expr = expr.expression
        if isinstance(expr, cst.Name):
            bound = values.get(expr.value)
            if not extra_only and flow.is_client(expr):
                if self._referer(flow, expr):
                    return None
                if not bound or expr.value in seen:
                    return expr  # a parameter, or a loop over itself
                for value in bound:
                    if self._dangerous(flow, values, value, depth + 1, seen | {expr.value}) is not None:
                        return expr
                return None
            if not bound or expr.value in seen:
                return None
            for value in bound:  # a local the flow does not know as client data: a Tornado or Bottle source?
                found = self._dangerous(flow, values, value, depth + 1, seen | {expr.value}, extra_only=True)
                if found is not None:
                    return found
            return None
        if isinstance(expr, cst.BooleanOperation):
            return self._dangerous(flow, values, expr.left, depth + 1, seen, extra_only) or \
                self._dangerous(flow, values, expr.right, depth + 1, seen, extra_only)
        if isinstance(expr, cst.IfExp):
            return self._dangerous(flow, values, expr.body, depth + 1, seen, extra_only) or \
                self._dangerous(flow, values, expr.orelse, depth + 1, seen, extra_only)
        if isinstance(expr, cst.Call) and (self.ctx.qualname(expr.func) or "") in _URL_JOINS:
            # urljoin(BASE, url): an absolute or scheme-relative ``url`` replaces the base's origin
            joined = [self.ctx.argument(expr, "url", 1), self.ctx.argument(expr, "base", 0)]
            return next((found for part in joined if part is not None
                         for found in [self._dangerous(flow, values, part, depth + 1, seen, extra_only)]
                         if found is not None), None)
        pieces = url_pieces(self.ctx, expr)
        if pieces is not None:
            prefix = ""
            for piece in pieces:
                text = piece if isinstance(piece, str) else self.ctx.string(piece)
                if text is not None:  # a literal, or a constant (``BASE_URL + path``)
                    prefix += text
                    continue
                if _fixes_origin(prefix):
                    return None
                return self._dangerous(flow, values, piece, depth + 1, seen, extra_only)  # decides the origin
            return None
        if ((not extra_only and flow.is_client(expr)) or self._extra_source(expr)) and not self._referer(flow, expr):
            return expr
        return None

    def _extra_source(self, expr: cst.BaseExpression) -> bool:
        """Client data the handler flow does not model: ``self.get_argument("next")`` and
        ``self.request.arguments`` in a Tornado handler, Bottle's ``request.query.next``/``request.forms.get(...)``."""
        node: cst.BaseExpression = expr
        while True:
            if isinstance(node, cst.Call):
                func = node.func
                if self._tornado and isinstance(func, cst.Attribute) and func.attr.value in _TORNADO_ARGUMENTS \
                        and isinstance(func.value, cst.Name) and func.value.value == "self":
                    return True
                node = func
            elif isinstance(node, cst.Subscript):
                node = node.value
            elif isinstance(node, cst.Attribute):
                if _BOTTLE_SOURCE.match(self.ctx.qualname(node) or ""):
                    return True
                if self._tornado and node.attr.value in _TORNADO_REQUEST_ATTRS and \
                        self.ctx.code(node.value) == "self.request":
                    return True
                node = node.value
            else:
                return False

    def _client_name(self, flow, values: dict[str, list[cst.BaseExpression]], name: cst.Name) -> bool:
        return flow.is_client(name) or self._dangerous(flow, values, name, 0, frozenset(), extra_only=True) is not None

    def _referer(self, flow, expr: cst.BaseExpression) -> bool:
        """The Referer header: the page the browser came from. Redirecting back to it sends the user to a page
        they were already on, and browsers send only the origin of other sites' pages: not reported."""
        if _REFERER.search(flow.client_source(expr) or ""):
            return True
        return not isinstance(expr, cst.Name) and bool(_REFERER.search(self.ctx.code(expr)))

    # --- was it checked? -----------------------------------------------------------------
    def _checked(self, function: cst.FunctionDef, flow, values: dict[str, list[cst.BaseExpression]],
                 target: cst.BaseExpression, danger: cst.BaseExpression) -> str | None:
        """"strong" when the handler vets the URL, "weak" when it only tests for a leading "/", else None."""
        related = {n.value for n in names_read(target) if self._client_name(flow, values, n)}
        atoms = set()
        if not isinstance(danger, cst.Name):
            atoms.add(_quote_normal(self.ctx.code(danger)))
        for _ in range(6):  # names the target came from, and names derived from those (``urlparse(url)``)
            grown = set(related)
            for name, bound in values.items():
                for value in bound:
                    read = names_read(value)
                    if name in related:
                        grown |= {n.value for n in read if self._client_name(flow, values, n)}
                        if not isinstance(value, cst.Name) and (flow.is_client(value) or self._extra_source(value)):
                            atoms.add(_quote_normal(self.ctx.code(value)))
                    elif any(n.value in related for n in read):
                        grown.add(name)
            if grown == related:
                break
            related = grown
        atoms = {a for a in atoms if len(a) > 3}

        def mentions(node: cst.CSTNode) -> bool:
            if any(n.value in related for n in names_read(node)):
                return True
            if atoms:
                code = _quote_normal(self.ctx.code(node))
                return any(a in code for a in atoms)
            return False

        found: str | None = None
        for node in own_nodes(function):
            if isinstance(node, cst.Call):
                func = node.func
                tail = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
                receiver = func.value if isinstance(func, cst.Attribute) else None
                involved = any(mentions(a.value) for a in node.args) or (receiver is not None and mentions(receiver))
                if not involved:
                    continue
                if tail in ("startswith", "endswith"):
                    literals = [self.ctx.literal(a.value) for a in node.args]
                    flat = [x for v in literals for x in (v if isinstance(v, (list, tuple)) else [v])]
                    if tail == "startswith" and flat and all(v == "/" for v in flat):
                        found = found or "weak"
                        continue
                    return "strong"
                words = set(split_words(tail))
                if words & _SAFE_WORDS or (words & _CHECK_WORDS and words & _URL_WORDS) or tail in ("match", "fullmatch"):
                    return "strong"
            elif isinstance(node, cst.Comparison):
                if self._comparison_checks(node, mentions):
                    return "strong"
            elif isinstance(node, cst.Attribute) and node.attr.value in ("netloc", "hostname", "host", "scheme") \
                    and mentions(node.value):
                return "strong"  # ``if urlsplit(target).netloc: abort(400)``
        return found

    def _comparison_checks(self, node: cst.Comparison, mentions) -> bool:
        operands = [node.left, *(c.comparator for c in node.comparisons)]
        for index, target in enumerate(node.comparisons):
            left, right = operands[index], operands[index + 1]
            operator = target.operator
            if isinstance(operator, (cst.In, cst.NotIn)):
                if mentions(left) or mentions(right):
                    return True
            elif isinstance(operator, (cst.Equal, cst.NotEqual)):
                for mine, other in ((left, right), (right, left)):
                    if not mentions(mine):
                        continue
                    if _URL_PARTS.search(self.ctx.code(mine)):
                        return True  # parsed.netloc == "", urlsplit(url).hostname != HOST
                    value = self.ctx.literal(other)
                    if isinstance(value, str) and value not in ("", "/"):
                        return True  # target == "/dashboard"
                    if isinstance(other, (cst.Name, cst.Attribute)) and value is not None and \
                            not (isinstance(other, cst.Name) and other.value == "None"):
                        return True  # target == settings.HOME_URL
        return False
