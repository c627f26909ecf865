"""Security headers on every response: a nonce-based CSP, no framing, no sniffing, a strict referrer."""

from __future__ import annotations

import re
import secrets

from flask import Flask, Response, abort, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

NO_STORE_ENDPOINT_PREFIXES = ("auth.", "ballots_survey.")  # accounts; a voter's answers after voting
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def init_app(app: Flask) -> None:
    """Install the nonce generator, the header hook and, when configured, ProxyFix."""
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.globals["csp_style_nonce"] = csp_style_nonce
    app.before_request(assign_request_id)
    app.before_request(refuse_nul_bytes)
    app.after_request(add_security_headers)
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies
        )


def assign_request_id() -> None:
    """Tag the request so the audit log and the server log can be matched up."""
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID.fullmatch(incoming) else secrets.token_hex(8)


def refuse_nul_bytes() -> None:
    """No one types a NUL byte, and PostgreSQL cannot store or search one: a 400, not a 500 later on."""
    fields = [*request.args.items(multi=True)]
    if request.mimetype in FORM_MIMETYPES:  # other bodies (JSON) are read later, under their own size limit
        fields += request.form.items(multi=True)
    if any("\x00" in (name or "") or "\x00" in (value or "") for name, value in fields):
        abort(400)


def csp_nonce() -> str:
    """One random nonce per response, for the few inline scripts a template needs."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return str(g.csp_nonce)


def csp_style_nonce() -> str:
    """The nonce for the empty <style> elements plotly.js fills by CSSOM; only pages that ask allow it."""
    g.csp_style_nonce = True
    return csp_nonce()


def content_security_policy() -> str:
    """Only our own origin; scripts also by nonce; nothing may frame us."""
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{csp_nonce()}'",
            f"style-src 'self' 'nonce-{csp_nonce()}'" if g.get("csp_style_nonce") else "style-src 'self'",
            "img-src 'self' data: blob:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def add_security_headers(response: Response) -> Response:
    """Set the baseline headers, also on error pages."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    endpoint = request.endpoint or ""
    if endpoint.startswith(NO_STORE_ENDPOINT_PREFIXES):
        headers["Cache-Control"] = "no-store"
    return response
