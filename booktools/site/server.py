"""The built site as readers get it: served from a sub-path on loopback, and weighed.

GitHub Pages serves a project's site under ``/<repository>/``, gzips text files for browsers
that accept it, and answers unknown paths with the site's ``404.html``; :func:`served` does
the same on 127.0.0.1, so that the browser tests and the benchmark (Lighthouse among them)
exercise the links, assets, transfer sizes and 404 page exactly as published.
:func:`first_load` weighs what a browser fetches for one page on a first visit.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import os
import posixpath
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

SUB_PATH = "/sqlalchemy-by-example/"
#: The weight budget of every page's first load (issue 26, item 1): everything a browser
#: fetches on a first visit (HTML, CSS, JavaScript, fonts, icons, images), gzipped as a static
#: host sends them, and the number of those requests. The browser tests enforce it on every
#: page; the benchmark reports it. What keeps the pages within it: docs/maintaining.md.
BUDGET_GZIPPED_BYTES = 70_000
BUDGET_REQUESTS = 14
#: Debian's Chromium, which the browser tests and the benchmark drive (BOOK_CHROMIUM to change).
CHROMIUM = os.environ.get("BOOK_CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium phones home at start-up; this machine's closed network refuses it.
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Any host but loopback fails to resolve, so the site is tested as if offline.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def site_pages(site: Path) -> list[str]:
    """Every page of a built site, relative to its root and sorted: its HTML files, less
    those in Sphinx's own folders (``_static``, ``_sources``, ...)."""
    return sorted(
        path.relative_to(site).as_posix()
        for path in Path(site).rglob("*.html")
        if not path.relative_to(site).parts[0].startswith("_")
    )


#: What a static host compresses: text. Images, fonts (WOFF2 is compressed already) and
#: WebAssembly go as they are.
COMPRESSED_SUFFIXES = frozenset(
    {".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".map", ".ipynb", ".py"}
)


@functools.lru_cache(maxsize=512)
def _gzipped(path: str, modified_ns: int) -> bytes:
    """The file at ``path`` gzipped, once per version of it."""
    return gzip.compress(Path(path).read_bytes(), 6, mtime=modified_ns // 1_000_000_000)


class _SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves ``directory`` under ``prefix`` only; anything else gets the site's 404 page.

    Text files go gzipped to clients that accept it, as GitHub Pages sends them."""

    prefix = SUB_PATH

    def translate_path(self, path: str) -> str:
        path = unquote(urlsplit(path).path)
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "_" / "outside-the-sub-path")  # a 404
        return super().translate_path("/" + path[len(self.prefix) :])

    def send_head(self):  # the file object of the parent class, or None
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        accepts = self.headers.get("Accept-Encoding", "")
        if (
            "gzip" not in accepts
            or Path(path).suffix not in COMPRESSED_SUFFIXES
            or not os.path.isfile(path)
            or not urlsplit(self.path).path.endswith(("/", Path(path).name))
        ):
            return super().send_head()  # as it is: redirects and 404s too
        body = _gzipped(path, os.stat(path).st_mtime_ns)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests report what matters; a line per request is noise


class _Server(http.server.ThreadingHTTPServer):
    prefix: str


def _server(directory: Path, prefix: str, port: int) -> _Server:
    prefix = posixpath.join(prefix, "")
    handler = type("Handler", (_SubPathHandler,), {"prefix": prefix})
    server = _Server(("127.0.0.1", port), partial(handler, directory=str(directory)))
    server.prefix = prefix
    return server


@contextmanager
def served(directory: Path, prefix: str = SUB_PATH) -> Iterator[str]:
    """Serve ``directory`` at ``http://127.0.0.1:<free port><prefix>``; yield that URL."""
    if not (Path(directory) / "index.html").is_file():
        raise FileNotFoundError(
            f"no built site in {directory}: build it first with `python -m nox -s docs`"
        )
    server = _server(directory, prefix, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{server.prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


#: The kinds of response reported apart as "HTML, CSS, JavaScript and fonts" (the budget
#: covers every response).
BUDGETED_TYPES = frozenset({"document", "stylesheet", "script", "font"})


@dataclass(frozen=True)
class Response:
    url: str
    resource_type: str  # Playwright's: "document", "stylesheet", "script", "font", "image", ...
    raw_bytes: int
    gzipped_bytes: int


@dataclass
class Load:
    """What one page's first load fetched."""

    responses: list[Response] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.responses)

    @property
    def raw_bytes(self) -> int:
        return sum(r.raw_bytes for r in self.responses)

    @property
    def gzipped_bytes(self) -> int:
        return sum(r.gzipped_bytes for r in self.responses)

    @property
    def budgeted_gzipped_bytes(self) -> int:
        """Gzipped bytes of HTML, CSS, JavaScript and fonts (the budget covers everything)."""
        return sum(r.gzipped_bytes for r in self.responses if r.resource_type in BUDGETED_TYPES)

    def table(self) -> str:
        rows = sorted(self.responses, key=lambda r: -r.gzipped_bytes)
        lines = [
            f"{r.gzipped_bytes:>9,} B gzipped {r.raw_bytes:>10,} B raw  {r.resource_type:<10} {r.url}"
            for r in rows
        ]
        lines.append(
            f"{self.gzipped_bytes:>9,} B gzipped {self.raw_bytes:>10,} B raw  in {self.requests} "
            f"requests; HTML, CSS, JS and fonts: {self.budgeted_gzipped_bytes:,} B gzipped"
        )
        return "\n".join(lines)


def first_load(context: Any, url: str) -> Load:
    """Open ``url`` in a fresh page of the Playwright browser ``context`` (no cache) and
    weigh every response it needed, gzipped as a static host would send it."""
    load = Load()
    page = context.new_page()

    def weigh(response: Any) -> None:
        if response.request.method == "GET" and not response.url.startswith("data:"):
            body = response.body()
            load.responses.append(
                Response(
                    response.url,
                    response.request.resource_type,
                    len(body),
                    len(gzip.compress(body, 6)),
                )
            )

    page.on("response", weigh)
    page.goto(url, wait_until="networkidle")
    page.close()
    return load


def main() -> None:
    """``python -m booktools.site [DIR] [--port N]``: serve a built site until Ctrl+C."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("directory", nargs="?", default="docs/_build/html", type=Path)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--prefix", default=SUB_PATH, help="the sub-path, as on GitHub Pages")
    args = parser.parse_args()
    server = _server(args.directory, args.prefix, args.port)
    print(f"Serving the book at http://127.0.0.1:{args.port}{server.prefix} (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
