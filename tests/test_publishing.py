"""The CI workflow and the Read the Docs configuration: valid, and in step with .ci/run."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"
READTHEDOCS = ROOT / ".readthedocs.yaml"


def validate(path: Path, schema: str) -> subprocess.CompletedProcess[str]:
    """check-jsonschema with its bundled (offline) copy of the service's schema."""
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("path", "schema"),
    [(WORKFLOW, "vendor.github-workflows"), (READTHEDOCS, "vendor.readthedocs")],
)
def test_configuration_is_valid_for_its_service(path, schema, tmp_path):
    result = validate(path, schema)
    assert result.returncode == 0, result.stdout + result.stderr
    # and the check can fail: a misspelt key is refused
    broken = tmp_path / path.name
    broken.write_text(path.read_text().replace("runs-on:", "run-on:").replace("build:", "bild:"))
    assert validate(broken, schema).returncode != 0


def zizmor(path: Path) -> list[dict]:
    """zizmor's findings on a workflow, offline (no GitHub API), with its default persona."""
    # a binary installed next to the interpreter (the `test` group), not a Python module
    program = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which(
        "zizmor"
    )
    assert program, "zizmor is not installed: it is in the `test` dependency group"
    result = subprocess.run(
        [program, "--offline", "--no-config", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    # exit status 0: no findings; 10 and above: findings, by their highest severity
    assert result.returncode == 0 or result.returncode >= 10, result.stderr
    return json.loads(result.stdout)


def test_workflow_passes_the_security_linter(tmp_path):
    findings = zizmor(WORKFLOW)
    where = [(f["ident"], f["locations"][0]["concrete"]["feature"]) for f in findings]
    assert findings == [], where
    # and the check can fail: an action referenced by a movable tag, and a checkout that
    # keeps its credentials, are both reported
    text = WORKFLOW.read_text()
    assert "persist-credentials: false" in text
    unpinned = re.sub(
        r"(actions/checkout)@[0-9a-f]{40}.*\n +with:\n +persist-credentials: false\n",
        r"\1@v4\n",
        text,
    )
    assert unpinned != text
    copy = tmp_path / WORKFLOW.name
    copy.write_text(unpinned)
    assert {f["ident"] for f in zizmor(copy)} == {"unpinned-uses", "artipacked"}


def test_every_action_is_pinned_to_a_commit_with_its_version():
    uses = re.findall(r"uses: (\S+)(.*)", WORKFLOW.read_text())
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), (action, comment)


def nox_sessions_in(text: str) -> set[str]:
    sessions = set()
    for args in re.findall(r"python -m nox -s ([^\n&|;]+)", text):
        sessions |= {s.strip("\"'").split("(")[0] for s in args.split()}
    return sessions


def test_workflow_runs_what_ci_runs_for_every_series():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    jobs = workflow["jobs"]
    matrix = jobs["tests"]["strategy"]["matrix"]
    ci_sessions = nox_sessions_in((ROOT / ".ci" / "run").read_text())

    workflow_sessions = set(matrix["session"]) | nox_sessions_in(WORKFLOW.read_text())
    assert ci_sessions <= workflow_sessions, ci_sessions - workflow_sessions

    noxfile = ast.parse((ROOT / "noxfile.py").read_text())
    series = next(
        ast.literal_eval(node.value)
        for node in ast.walk(noxfile)
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "SERIES"
    )
    assert set(matrix["series"]) == set(series)


def test_only_main_is_published_and_it_is_the_docs_build():
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    assert "refs/heads/main" in jobs["deploy"]["if"] and "push" in jobs["deploy"]["if"]
    upload = next(s for s in jobs["site"]["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "docs/_build/html"
    assert "python -m nox -s docs" in (ROOT / ".readthedocs.yaml").read_text()


def test_changelog_has_a_section_for_the_current_version():
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.MULTILINE)[1]
    changelog = (ROOT / "docs" / "changelog.md").read_text()
    headings = re.findall(r"^## (\S+)", changelog, re.MULTILINE)
    assert headings[0] == "Unreleased" or headings[0] == version
    assert version in headings
