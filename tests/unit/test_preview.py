"""The link-preview fetcher against a real HTTP server on loopback: Open Graph tags,
redirects (counted and each checked), private addresses refused before and after
resolving names, a size limit, a time-out."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from advocacy.suggestions.preview import MAX_BYTES, PreviewError, fetch_preview, parse
from tests.support import free_port

PAGE = """<!doctype html><html><head><title>Fallback title</title>
<meta property="og:title" content="Wind power &amp; storage">
<meta property="og:description" content="  How the new plant
 stores energy.  ">
<meta property="og:image" content="/img/plant.jpg">
<meta property="og:site_name" content="Example News">
</head><body>…</body></html>"""


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *_args: object) -> None:  # keep the test output clean
        pass

    def _send(self, status: int, body: bytes = b"", kind: str = "text/html; charset=utf-8",
              location: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        try:
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the time-out test): nothing to tell it

    def do_GET(self) -> None:
        path = self.path
        if path == "/page":
            self._send(200, PAGE.encode())
        elif path.startswith("/hop/"):  # /hop/N redirects N more times, then the page
            left = int(path.rsplit("/", 1)[1])
            self._send(302, location="/page" if left == 0 else f"/hop/{left - 1}")
        elif path == "/to-private":
            self._send(302, location="https://10.1.2.3/intranet")
        elif path == "/to-metadata":
            self._send(302, location="https://169.254.169.254/latest/meta-data/")
        elif path == "/big":
            head = b"<html><head><title>Big</title>"
            tail = b'<meta property="og:description" content="after the limit"></head>'
            self._send(200, head + b" " * (MAX_BYTES * 2) + tail)
        elif path == "/slow":
            time.sleep(2)
            self._send(200, PAGE.encode())
        elif path == "/pdf":
            self._send(200, b"%PDF-1.4", kind="application/pdf")
        else:
            self._send(404, b"missing")


@contextmanager
def serve() -> Iterator[str]:
    """The pages above on a free loopback port; yields the server's base address."""
    port = free_port()
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve() as base:
        yield base


def fetch(url: str, **options: object):
    return fetch_preview(url, allow_insecure=True, timeout=1.0, **options)  # type: ignore[arg-type]


def test_open_graph_tags_are_read(server):
    preview = fetch(f"{server}/page")
    assert preview.title == "Wind power & storage"
    assert preview.description == "How the new plant stores energy."
    assert preview.image == f"{server}/img/plant.jpg"
    assert preview.site_name == "Example News"


def test_three_redirects_are_followed_and_a_fourth_is_refused(server):
    assert fetch(f"{server}/hop/2").url == f"{server}/page"  # three hops in all
    with pytest.raises(PreviewError, match="more than three times"):
        fetch(f"{server}/hop/3")


@pytest.mark.parametrize("path", ["/to-private", "/to-metadata"])
def test_a_redirect_to_a_private_address_is_refused(server, path):
    with pytest.raises(PreviewError, match="not a public address"):
        fetch(server + path)


def test_loopback_by_name_is_refused_after_resolving_it(server):
    port = server.rsplit(":", 1)[1]
    with pytest.raises(PreviewError, match="not a public address"):
        fetch_preview(f"https://localhost:{port}/page", timeout=1.0)


def test_plain_http_to_the_internet_is_refused():
    with pytest.raises(PreviewError, match="Only https"):
        fetch_preview("http://example.com/", timeout=1.0,
                      resolve=lambda host, port, **_: [(2, 1, 6, "", ("93.184.216.34", port))])


def test_only_the_first_part_of_a_large_page_is_read(server):
    preview = fetch(f"{server}/big")
    assert preview.title == "Big" and preview.description == ""


def test_a_slow_page_times_out(server):
    started = time.monotonic()
    with pytest.raises(PreviewError, match="too long"):
        fetch(f"{server}/slow")
    assert time.monotonic() - started < 1.9


@pytest.mark.parametrize(("path", "message"), [("/pdf", "not a web page"),
                                               ("/nothing", "status 404")])
def test_what_is_not_a_page_says_why(server, path, message):
    with pytest.raises(PreviewError, match=message):
        fetch(server + path)


def test_parse_falls_back_to_the_title_and_drops_odd_images():
    preview = parse('<title> Plain </title><meta property="og:image" content="javascript:x">',
                    "https://example.com/a")
    assert (preview.title, preview.image) == ("Plain", "")
