"""Sessions for building, serving and verifying the book. See README.md for the quick start.

    nox -s serve            verify the snippets, build the book, serve it on 127.0.0.1:8000
    nox -s tests            the whole test suite on SQLite, with SQLAlchemy 2.0.x and 2.1.x
    nox -s tests_postgres   the same against a throwaway PostgreSQL server
    nox -s pyodide          run the examples that run in the reader's browser on Pyodide, in Node
    nox -s docs             verify the snippets, then build docs/_build/html, warnings as errors
    nox -s browser          build, then test the site in Chromium (installed with apt if missing)
    nox -s live             an author's loop: rebuild and reload a page when it is saved
    nox -s bench            measure build, test and page-weight costs against budgets: bench/

Arguments after "--" go to pytest, e.g. ``nox -s "tests(2.1)" -- --update-examples``.
"""

import os
import shutil
import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).parent))  # nox does not put the project on sys.path
from booktools.bench.measure import LIVE_OPTIONS, SPHINX_OPTIONS
from booktools.site.server import CHROMIUM
from booktools.verify.postgres import PostgresUnavailable, throwaway_server

nox.options.sessions = ["tests", "docs"]
nox.options.reuse_venv = "yes"

PYPROJECT = nox.project.load_toml("pyproject.toml")
SERIES = {"2.0": "SQLAlchemy>=2.0,<2.1", "2.1": "SQLAlchemy>=2.1,<2.2"}
HTML = "docs/_build/html"
LIVE = "docs/_build/live"  # never the published build: it is made without -W


def install(
    session: nox.Session, *groups: str, series: str = "2.1", inventory: bool = True
) -> None:
    requirements = [r for g in groups for r in nox.project.dependency_groups(PYPROJECT, g)]
    session.install(*requirements, SERIES[series])
    if not inventory:
        return
    # The inventory of the installed SQLAlchemy's API docs, for the links to them: made from
    # its source distribution on the package index (downloaded once, into build/).
    session.run("python", "-m", "booktools.sphinxext.inventory")


@nox.session
@nox.parametrize("series", list(SERIES), ids=list(SERIES))
def tests(session: nox.Session, series: str) -> None:
    """Run every snippet of the book and the harness's own tests on in-memory SQLite."""
    install(session, "test", series=series)
    session.run("pytest", *session.posargs)


@nox.session
@nox.parametrize("series", list(SERIES), ids=list(SERIES))
def tests_postgres(session: nox.Session, series: str) -> None:
    """Run the same suite against a throwaway PostgreSQL server on 127.0.0.1."""
    install(session, "test", "postgresql", series=series)
    try:
        with throwaway_server() as url:
            session.run("pytest", *session.posargs, env={"BOOK_DATABASE_URL": url})
    except PostgresUnavailable as error:
        session.error(str(error))


@nox.session
@nox.parametrize("series", list(SERIES), ids=list(SERIES))
def pyodide(session: nox.Session, series: str) -> None:
    """Run every example that runs in the reader's browser on Pyodide, in Node, as the Run
    button does (booktools/runner/); writes the record the verified-with line reads."""
    need_node(session)
    install(session, "pyodide", series=series, inventory=False)
    session.run("python", "-m", "booktools.runner.check", *session.posargs)


def need_graphviz(session: nox.Session) -> None:
    """Graphviz's ``dot``, which draws the schema diagrams: Debian's package if it is missing."""
    if not shutil.which("dot"):
        if shutil.which("apt-get") and os.geteuid() == 0:
            session.run("apt-get", "update", "-qq", external=True)
            session.run("apt-get", "install", "-y", "-qq", "graphviz", external=True)
        else:
            session.error("no Graphviz `dot`: install it with `sudo apt-get install graphviz`")


def build(session: nox.Session, group: str = "docs", *, node_dev: bool = False) -> None:
    need_graphviz(session)
    install(session, group)
    # Pyodide, which the build copies into the site, and PurgeCSS, which ends the build,
    # come from npm (``node_dev``: Lighthouse too, for the browser tests).
    need_node(session, dev=node_dev)
    # The book states what it was verified with; that record comes from this run.
    session.run("pytest", "docs", "-q")
    # -E: every page is written afresh, so the sitemap and the downloads list every page (the
    # executed notebook page still comes from its cache when its code has not changed).
    session.run("sphinx-build", "-E", *SPHINX_OPTIONS, "docs", HTML)


@nox.session
def docs(session: nox.Session) -> None:
    """Verify the snippets, then build the HTML book with warnings as errors."""
    build(session)


def need_chromium(session: nox.Session) -> None:
    if not Path(CHROMIUM).exists():
        if shutil.which("apt-get") and os.geteuid() == 0:
            session.run("apt-get", "install", "-y", "-qq", "chromium", external=True)
        else:
            session.error(f"no Chromium at {CHROMIUM}: install it with `sudo apt-get install chromium`")


def need_node(session: nox.Session, *, dev: bool = False) -> None:
    """Node.js and the pinned npm packages of package-lock.json, in node_modules/.

    The build needs Pyodide (copied into the site) and PurgeCSS; ``dev`` adds Lighthouse,
    which only the benchmark runs. Installs Debian's nodejs and npm if they are missing.
    """
    if not shutil.which("npm"):
        if shutil.which("apt-get") and os.geteuid() == 0:
            session.run("apt-get", "install", "-y", "-qq", "nodejs", "npm", external=True)
        else:
            session.error("no npm: install Node.js 18.16 or newer (`sudo apt-get install nodejs npm`)")
    ci = ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"]
    session.run(*ci, *([] if dev else ["--omit=dev"]), external=True)


@nox.session
def browser(session: nox.Session) -> None:
    """Build the book, then test the site in Debian's Chromium: see tests/browser/."""
    need_chromium(session)
    build(session, "browser", node_dev=True)  # Lighthouse, for tests/browser/test_lighthouse.py
    session.run(
        "pytest", "tests/browser", "-p", "xdist", "-n", "2", *session.posargs,
        env={"BOOK_SITE": HTML},
    )


@nox.session
def serve(session: nox.Session) -> None:
    """Build the book and serve it as published, at http://127.0.0.1:8000/sqlalchemy-by-example/."""
    build(session)
    session.run("python", "-m", "booktools.site", HTML, "--port", "8000")


@nox.session
def live(session: nox.Session) -> None:
    """Serve the book at http://127.0.0.1:8000/, rebuilding and reloading a page when it is saved.

    Only the changed pages are rebuilt, without -W: an edited page has no green test run
    yet, which `nox -s docs` requires. Arguments after "--" go to sphinx-autobuild.
    """
    need_graphviz(session)
    install(session, "live")
    need_node(session)  # the build copies Pyodide into the site and ends with PurgeCSS
    session.run("sphinx-autobuild", *LIVE_OPTIONS, "--port", "8000", "docs", LIVE, *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Measure the book's build, tests and page weight on this machine: see bench/README.md.

    Writes bench/history/<date>-<commit>.json and bench/latest.md; e.g. ``-- --repeat 5``,
    ``-- --no-cold`` (skip the build that executes the notebook page), ``-- --no-browser``,
    ``-- --no-lighthouse`` or ``-- --site docs/_build/html`` (only the site's measures,
    Lighthouse on every page among them, of a site already built).
    """
    need_chromium(session)
    need_node(session, dev=True)  # Pyodide for the builds it times; Lighthouse
    install(session, "bench")
    session.run("python", "-m", "booktools.bench", *session.posargs)
