"""What every HTTP answer gets: proxy handling, security headers and cacheable static files.

Behind a reverse proxy the client's address and scheme arrive in `X-Forwarded-*` headers.
They are believed only for the configured number of proxy hops (`PROXY_HOPS`), because
anyone can send such a header: trusting one hop too many lets a client pick the address
that login throttling and rate limits count.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

# No inline scripts or styles anywhere (the templates load our own files from /static), so
# the policy needs no 'unsafe-inline'. form-action is left open on purpose: the share sheet
# and single sign-on answer a POST with a redirect to another site, which form-action
# 'self' would block in Chromium.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'"
)

# A year: static URLs carry a hash of the file's content, so a changed file gets a new URL.
STATIC_MAX_AGE = 365 * 24 * 3600


def trust_proxies(app: Flask) -> None:
    """Wrap the whole WSGI stack, so the tracked-link layer in front of Flask sees the
    client's address too (call it after every other middleware)."""
    hops = app.config["PROXY_HOPS"]
    if hops:
        # Every proxy appends to X-Forwarded-For, so the client is `hops` entries from the
        # end. Scheme and host are set (overwritten) by the proxy next to us: one value.
        # Port and prefix are not believed at all: our proxies do not set them, so a client
        # could (a prefix like "//evil.example" would make redirects leave the site).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=1, x_host=1, x_port=0, x_prefix=0)


def init_app(app: Flask) -> None:
    hsts = app.config["HSTS_SECONDS"]
    versions = StaticVersions(Path(app.static_folder or ""), cache=not app.debug)

    @app.url_defaults
    def _version_static_urls(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = versions.of(values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        # Only over https: a browser ignores HSTS on http, and sending it from a test or
        # demo on http://127.0.0.1 would say nothing true.
        if hsts and request.is_secure:
            headers.setdefault("Strict-Transport-Security", f"max-age={hsts}")
        if request.endpoint == "static":
            _cache_static(response, versions)
        elif current_user.is_authenticated and "Cache-Control" not in headers:
            # A page behind login is about its reader: no shared or back-button copy.
            # (Uploaded images set their own private caching.)
            headers["Cache-Control"] = "no-store"
        return response


def _cache_static(response: Response, versions: StaticVersions) -> None:
    """Versioned URLs may be kept for a year; an unversioned or stale one is revalidated."""
    filename = (request.view_args or {}).get("filename", "")
    asked = request.args.get("v")
    if response.status_code == 200 and asked and asked == versions.of(filename):
        response.headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"


class StaticVersions:
    """Short content hashes of the files under `folder`, computed once per file."""

    def __init__(self, folder: Path, cache: bool = True) -> None:
        self.folder = folder.resolve()
        self.cache = cache
        self._known: dict[str, str] = {}

    def of(self, filename: str) -> str:
        if self.cache and filename in self._known:
            return self._known[filename]
        path = (self.folder / filename).resolve()
        if not path.is_relative_to(self.folder) or not path.is_file():
            return ""
        version = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        self._known[filename] = version
        return version
