"""AR405 open-redirect: redirects to a URL the request supplies, unchecked."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from ... import markup
from ...findings import Confidence, Severity
from ...frameworks import names_read
from ...rule import Invalid, Rule
from ...words import split_words
from .._common import handler_flow, own_nodes, target_name
from ._shared import local_values, url_pieces

_REDIRECTS = frozenset({
    "flask.redirect", "flask.helpers.redirect", "werkzeug.utils.redirect", "werkzeug.redirect", "quart.redirect",
    "quart.helpers.redirect", "sanic.response.redirect", "sanic.redirect",
    "django.shortcuts.redirect", "django.http.HttpResponseRedirect", "django.http.HttpResponsePermanentRedirect",
    "django.http.response.HttpResponseRedirect", "django.http.response.HttpResponsePermanentRedirect",
    "starlette.responses.RedirectResponse", "fastapi.responses.RedirectResponse", "fastapi.RedirectResponse",
    "litestar.response.Redirect", "litestar.Redirect",
    *(f"aiohttp.{module}.{name}" for module in ("web", "web_exceptions") for name in (
        "HTTPFound", "HTTPSeeOther", "HTTPMovedPermanently", "HTTPTemporaryRedirect", "HTTPPermanentRedirect")),
})
_REDIRECT_KEYWORDS = ("location", "to", "redirect_to", "url", "path")
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


class OpenRedirect(Rule):
    """What it does: flags redirects (``redirect()``, ``RedirectResponse``, ``HttpResponseRedirect``, aiohttp's
    ``HTTPFound``, a ``Location`` header) to a URL the request supplies (``next``, ``return_to``,
    ``redirect_uri``, a query parameter), when nothing in the handler checks it first: no
    ``url_has_allowed_host_and_scheme``/``is_safe_url``-style helper, no ``urlparse(url).netloc`` test,
    no comparison with an allow-list. URLs whose scheme and host (or leading ``/path``) are fixed by
    the code are not reported.

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
    prefilter = re.compile(r"[Rr]edirect|Location|HTTPFound|HTTPSeeOther|HTTPMovedPermanently|HTTPTemporaryRedirect|"
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
        # A form field the page round-trips.
        "from flask import Flask, redirect, request, url_for\napp = Flask(__name__)\n@app.post('/2fa')\ndef two_factor():\n"
        "    form = TwoFactorForm(next=request.args.get('next', ''))\n    if form.validate_on_submit():\n"
        "        return redirect(form.next.data or url_for('index'))\n",
    ]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        sinks = list(self._sinks(node))
        if not sinks:
            return
        flow, label, endpoint = handler_flow(self.ctx, node)
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
        for node in own_nodes(function):
            if isinstance(node, cst.Call):
                name = ctx.qualname(node.func) or ""
                if name in _REDIRECTS:
                    target = next((ctx.argument(node, k) for k in _REDIRECT_KEYWORDS if ctx.keyword(node, k)), None)
                    if target is None:
                        first = ctx.positional(node, 0)
                        target = first.value if first is not None and not first.star else None
                    if target is not None:
                        yield node, target, "redirects to"
                    continue
                headers = ctx.argument(node, "headers")
                tail = node.func.attr.value if isinstance(node.func, cst.Attribute) else \
                    node.func.value if isinstance(node.func, cst.Name) else ""
                if isinstance(headers, cst.Dict) and "response" in tail.lower():
                    for element in headers.elements:
                        if isinstance(element, cst.DictElement) and (ctx.string(element.key) or "").lower() == "location":
                            yield node, element.value, "sends a `Location` header with"
            elif isinstance(node, cst.Assign):
                for target in node.targets:
                    if isinstance(target.target, cst.Subscript) and (target_name(target.target) or "").lower() == "location":
                        yield node, node.value, "sends a `Location` header with"
            elif isinstance(node, cst.Return) and isinstance(node.value, cst.Tuple):
                for element in node.value.elements:  # Flask: ``return "", 302, {"Location": url}``
                    if isinstance(element.value, cst.Dict):
                        for item in element.value.elements:
                            if isinstance(item, cst.DictElement) and (ctx.string(item.key) or "").lower() == "location":
                                yield node, item.value, "sends a `Location` header with"

    # --- is the target the client's? ----------------------------------------------------
    def _dangerous(self, flow, values: dict[str, list[cst.BaseExpression]], expr: cst.BaseExpression,
                   depth: int, seen: frozenset[str]) -> cst.BaseExpression | None:
        """The client-supplied part of ``expr`` that decides where the redirect goes, or None."""
        if depth > 8:
            return None
        while isinstance(expr, cst.Await):
            expr = expr.expression
        if isinstance(expr, cst.Name):
            if not flow.is_client(expr) or self._referer(flow, expr):
                return None
            bound = values.get(expr.value)
            if not bound or expr.value in seen:
                return expr  # a parameter, or a loop over itself
            for value in bound:
                if self._dangerous(flow, values, value, depth + 1, seen | {expr.value}) is not None:
                    return expr
            return None
        if isinstance(expr, cst.BooleanOperation):
            return self._dangerous(flow, values, expr.left, depth + 1, seen) or \
                self._dangerous(flow, values, expr.right, depth + 1, seen)
        if isinstance(expr, cst.IfExp):
            return self._dangerous(flow, values, expr.body, depth + 1, seen) or \
                self._dangerous(flow, values, expr.orelse, depth + 1, seen)
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
                return self._dangerous(flow, values, piece, depth + 1, seen)  # decides the origin: ours or theirs
            return None
        if flow.is_client(expr) and not self._referer(flow, expr):
            return expr
        return None

    @staticmethod
    def _referer(flow, expr: cst.BaseExpression) -> bool:
        return "refer" in (flow.client_source(expr) or "").lower()

    # --- was it checked? -----------------------------------------------------------------
    def _checked(self, function: cst.FunctionDef, flow, values: dict[str, list[cst.BaseExpression]],
                 target: cst.BaseExpression, danger: cst.BaseExpression) -> str | None:
        """"strong" when the handler vets the URL, "weak" when it only tests for a leading "/", else None."""
        related = {n.value for n in names_read(target) if flow.is_client(n)}
        atoms = set()
        if not isinstance(danger, cst.Name):
            atoms.add(_quote_normal(self.ctx.code(danger)))
        for _ in range(6):  # names the target came from, and names derived from those (``urlparse(url)``)
            grown = set(related)
            for name, bound in values.items():
                for value in bound:
                    read = names_read(value)
                    if name in related:
                        grown |= {n.value for n in read if flow.is_client(n)}
                        if not isinstance(value, cst.Name) and flow.is_client(value):
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
