"""booktools.site.server: the built site served from a sub-path, as GitHub Pages serves it."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request

import pytest

from booktools.site.server import served


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_pages_under_the_sub_path_and_the_404_page_elsewhere(tmp_path):
    (tmp_path / "index.html").write_text("home")
    (tmp_path / "orm").mkdir()
    (tmp_path / "orm" / "session.html").write_text("session")
    (tmp_path / "404.html").write_text("not here")

    with served(tmp_path, "/book") as base:
        assert base.startswith("http://127.0.0.1:") and base.endswith("/book/")
        assert fetch(base) == (200, "home")
        assert fetch(base + "orm/session.html") == (200, "session")
        assert fetch(base + "orm/missing.html") == (404, "not here")
        assert fetch(base.replace("/book/", "/orm/session.html")) == (404, "not here")


def test_an_unbuilt_site_says_how_to_build_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="nox -s docs"), served(tmp_path):
        pass


def test_text_goes_gzipped_to_browsers_that_accept_it(tmp_path):
    """As GitHub Pages sends it, so that Lighthouse weighs what readers download."""
    (tmp_path / "index.html").write_text("home " * 100)
    (tmp_path / "logo.png").write_bytes(b"\x89PNG not text")
    gzip_please = {"Accept-Encoding": "gzip, deflate"}
    with served(tmp_path, "/book") as base:
        with urllib.request.urlopen(urllib.request.Request(base, headers=gzip_please)) as r:
            assert r.headers["Content-Encoding"] == "gzip"
            assert int(r.headers["Content-Length"]) < 100
            assert gzip.decompress(r.read()).decode() == "home " * 100
        with urllib.request.urlopen(
            urllib.request.Request(base + "logo.png", headers=gzip_please)
        ) as r:
            assert r.headers["Content-Encoding"] is None and r.read() == b"\x89PNG not text"
        with urllib.request.urlopen(base) as r:  # no Accept-Encoding: as it is
            assert r.headers["Content-Encoding"] is None and r.read().decode() == "home " * 100
