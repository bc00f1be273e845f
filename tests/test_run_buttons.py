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



def test_the_build_copies_the_wheels_with_bytecode_or_says_why_not(tmp_path, monkeypatch):
    """The build serves booktools.runner.wheels.bytecode_wheels(), the wheels the Node check
    loads too; when they cannot be made, the build fails with the reason."""
    from booktools.runner import wheels

    def unavailable(wheel_paths=None):
        raise wheels.WheelsUnavailable("no `node`: install Node.js")

    monkeypatch.setattr(wheels, "bytecode_wheels", unavailable)
    app = SimpleNamespace(builder=SimpleNamespace(format="html"), outdir=str(tmp_path))
    with pytest.raises(ExtensionError, match=r"^no `node`: install Node.js$"):
        run_buttons.copy_runtime(app, None)


def test_the_runtime_digest_changes_with_any_module_of_the_bundle(monkeypatch):
    """The browser caches the runner bundle under the runtime's digest: a change in a module
    it carries from outside booktools/runner/ (the capture, say) must change the digest."""
    from booktools.runner import bundle

    before = run_buttons.runtime_version()
    run_buttons.runtime_version.cache_clear()
    monkeypatch.setattr(bundle, "runner_bundle", lambda: b"another capture.py")
    try:
        assert run_buttons.runtime_version() != before
    finally:
        run_buttons.runtime_version.cache_clear()
