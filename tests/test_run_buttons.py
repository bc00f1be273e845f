"""The Run buttons' build side (booktools/sphinxext/run_buttons.py) without a browser: what
the build does without Pyodide. The buttons themselves are tested in tests/browser/test_run.py."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sphinx.errors import ExtensionError

from booktools.sphinxext import run_buttons


def test_a_build_without_pyodide_fails_saying_to_run_npm_ci(tmp_path, monkeypatch):
    monkeypatch.setattr(run_buttons, "PYODIDE", tmp_path / "node_modules" / "pyodide")
    monkeypatch.setattr(run_buttons, "ROOT", tmp_path)
    app = SimpleNamespace(builder=SimpleNamespace(format="html"))
    with pytest.raises(ExtensionError, match=r"Run `npm ci`") as error:
        run_buttons.check_pyodide(app)
    assert "pyodide.asm.wasm" in str(error.value)

