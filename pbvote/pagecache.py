"""A few seconds' cache of whole public pages for anonymous readers.

A results page that goes viral the evening it is published is the same for every anonymous reader except
the CSP nonce and the CSRF token of the language switch. Each worker renders it once per
``PAGE_CACHE_SECONDS`` with marks in their place and fills in fresh values per response. Logged-in readers,
readers with a message waiting, non-GET requests and non-200 answers always get a fresh rendering.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Generic, TypeVar, cast

from cachetools import TTLCache
from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

F = TypeVar("F", bound=Callable[..., Any])
V = TypeVar("V")
NONCE_MARK = "pbvote-nonce-" + secrets.token_hex(8)  # unguessable, so no page content can contain it
CSRF_MARK = "pbvote-csrf-" + secrets.token_hex(8)
MAX_PAGES = 512  # per worker; a page is tens of kB
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary")


@dataclass(frozen=True)
class CachedPage:
    """A rendered page with the marks still in it, and whether it asked for the style nonce."""

    body: str
    headers: tuple[tuple[str, str], ...]
    style_nonce: bool


class Kept(Generic[V]):
    """Values by key, each kept for the given number of seconds, shared by a worker's threads."""

    def __init__(self, maxsize: int = MAX_PAGES) -> None:
        self._lock = threading.Lock()
        self._maxsize = maxsize
        self._values: TTLCache[Hashable, V] | None = None
        self._seconds = 0.0

    def _store(self, seconds: float) -> TTLCache[Hashable, V]:
        with self._lock:
            if self._values is None or self._seconds != seconds:
                self._values, self._seconds = TTLCache(maxsize=self._maxsize, ttl=seconds), seconds
            return self._values

    def get(self, key: Hashable, seconds: float) -> V | None:
        values = self._store(seconds)
        with self._lock:
            return values.get(key)

    def put(self, key: Hashable, value: V, seconds: float) -> None:
        values = self._store(seconds)
        with self._lock:
            values[key] = value

    def clear(self) -> None:
        with self._lock:
            if self._values is not None:
                self._values.clear()


cache: Kept[CachedPage] = Kept()  # rendered pages by address (or key) and language


def init_app(app: Flask) -> None:
    """Let templates ask for the CSRF token through us, so a cached rendering holds a mark instead."""
    app.jinja_env.globals["csrf_token"] = csrf_token_or_mark
    app.context_processor(lambda: {"csrf_token": csrf_token_or_mark})  # Flask-WTF's own processor ran first


def csrf_token_or_mark() -> str:
    return CSRF_MARK if g.get("rendering_for_cache") else generate_csrf()


def cacheable() -> bool:
    """Only what every anonymous reader would get alike."""
    seconds = current_app.config.get("PAGE_CACHE_SECONDS") or 0
    return (
        seconds > 0
        and request.method == "GET"
        and not current_user.is_authenticated
        and not session.get("_flashes")
    )


def cached_public_page(view: F) -> F:
    """Serve the view's page from the cache for anonymous readers (see the module docstring)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not cacheable():
            return view(*args, **kwargs)
        key = (request.endpoint or "", request.full_path, str(get_locale()))
        return serve(key, lambda: view(*args, **kwargs))

    return cast(F, wrapper)


def serve(key: tuple[str, ...], render: Callable[[], Any]) -> Response:
    """The page under ``key`` from the cache, or rendered now by ``render`` with marks and kept when it is
    a 200 without this reader's own CSRF token; either way with this response's nonce and token filled in.
    Call only when ``cacheable()``."""
    seconds = float(current_app.config["PAGE_CACHE_SECONDS"])
    page = cache.get(key, seconds)
    if page is None:
        response = _render_with_marks(render)
        if response.direct_passthrough:
            return response
        if response.status_code != 200 or "csrf_token" in g:  # a real token in it: this reader's only
            return _filled(response.get_data(as_text=True), response, bool(g.get("csp_style_nonce")))
        page = CachedPage(
            body=response.get_data(as_text=True),
            headers=tuple((name, value) for name, value in response.headers if name in KEPT_HEADERS),
            style_nonce=bool(g.get("csp_style_nonce")),
        )
        cache.put(key, page, seconds)
    return _filled(page.body, Response(headers=list(page.headers)), page.style_nonce)


def _render_with_marks(render: Callable[[], Any]) -> Response:
    g.csp_nonce, g.rendering_for_cache = NONCE_MARK, True
    try:
        return current_app.make_response(render())
    finally:
        g.pop("csp_nonce", None)
        g.rendering_for_cache = False


def _filled(body: str, response: Response, style_nonce: bool) -> Response:
    """The page with this response's own nonce (and CSRF token where the page has a form)."""
    nonce = secrets.token_urlsafe(18)
    g.csp_nonce = nonce
    if style_nonce:
        g.csp_style_nonce = True
    body = body.replace(NONCE_MARK, nonce)
    if CSRF_MARK in body:
        body = body.replace(CSRF_MARK, generate_csrf())
    response.set_data(body)
    return response
