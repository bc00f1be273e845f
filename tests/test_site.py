"""booktools.site.server: the built site served from a sub-path, as GitHub Pages serves it."""

from __future__ import annotations

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
