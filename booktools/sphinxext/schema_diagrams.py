"""Sphinx extension: ``{schema-diagram}``, an entity-relationship diagram of a page's tables.

````text
```{schema-diagram} Base.metadata
Optional caption; without one, the caption names the tables.
```
````

The argument is an expression that gives a ``MetaData`` at the directive's point of the
page. The diagram is drawn from that very object: the page's code up to the directive runs
as the SQLite test run of the installed series runs it (``python -m
booktools.verify.diagrams``, in a separate process, since building the book loads no test
machinery), the argument is evaluated there, its tables are described
(:func:`booktools.diagrams.describe`) and drawn by Graphviz's ``dot`` as SVG
(:func:`booktools.diagrams.dot_source`). The tests evaluate the same argument at the same
point, so a diagram cannot drift from the code, and a wrong argument fails the tests.

Both steps are cached under ``build/schema-diagrams/``: the description by the page's code
up to the directive (its runnable blocks and skips), the argument, the SQLAlchemy version
and the source of the code that describes (:data:`DESCRIBING`); the SVG by its DOT source,
the Graphviz version and the source of the code that draws (:data:`DRAWING`). An unchanged
page runs nothing and draws nothing; a change to the describing or drawing code remakes
every diagram, instead of serving what the old code made.

The page shows the SVG as an ``<img loading="lazy">`` with its size and an alt text that
lists the tables, their columns and what each foreign key refers to, in a ``<figure>``
with a visible caption, and needs no script. The browser fetches it only when it comes
near the window (Chromium's "near" is generous: a diagram early in a chapter comes with the
first load in a desktop-sized window).
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import sqlalchemy
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from booktools.diagrams import FORMAT, alt_text, caption, dot_source
from booktools.pages import ROOT, Block, Page, read_page

logger = logging.getLogger(__name__)

CACHE = ROOT / "build" / "schema-diagrams"
LEGEND = "Arrows point from a foreign key to the table it refers to."

#: the files whose code makes a description: describe() and the harness that runs the page
#: up to the directive and writes what describe() gives (read as files: the build imports
#: no test machinery)
DESCRIBING = (ROOT / "booktools" / "diagrams.py", ROOT / "booktools" / "verify" / "diagrams.py")
#: the files whose code makes an SVG from DOT: this one (``dot -Tsvg`` and :func:`_slim`);
#: dot_source() needs no place here, since the DOT source itself is in the SVG's key
DRAWING = (Path(__file__),)


class schema_diagram(nodes.General, nodes.Element):  # docutils names node classes so
    """A drawn diagram: ``svg`` (the cached file), ``width``, ``height``, ``alt``, ``caption``."""


def _key(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:20]


@functools.cache
def _sources(files: tuple[Path, ...]) -> list[str]:
    """A digest of each file's source, for a cache key: edited code makes a new key (read
    once per process, not once per diagram)."""
    return [hashlib.sha256(file.read_bytes()).hexdigest() for file in files]


@functools.cache
def graphviz_version() -> str:
    """``dot -V``'s line, e.g. ``dot - graphviz version 2.43.0 (0)``: another Graphviz may
    lay out the same DOT otherwise."""
    done = subprocess.run(["dot", "-V"], capture_output=True, text=True, check=True, timeout=60)
    return (done.stderr or done.stdout).strip()


def describe_at(path: Path, line: int, expression: str, page: Page | None = None) -> dict:
    """The description of the tables that the diagram on ``line`` of the page names, from
    the cache or from running the page up to it. ``page`` is the page model of ``path``,
    if it was already parsed."""
    page = page or read_page(path)
    fence = next(f for f in page.diagrams if f.line == line)
    code = [
        [b.language, b.source, sorted(b.tags)] if isinstance(b, Block) else list(b.arguments)
        for b in page.code_before(fence.start)
    ]
    key = _key(FORMAT, sqlalchemy.__version__, _sources(DESCRIBING), expression, code)
    cached = CACHE / f"{key}.json"
    if cached.exists():
        return json.loads(cached.read_text(encoding="utf-8"))
    CACHE.mkdir(parents=True, exist_ok=True)
    out = cached.with_suffix(f".{os.getpid()}.tmp")
    env = {k: v for k, v in os.environ.items() if k != "BOOK_DATABASE_URL"}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "booktools.verify.diagrams", str(path), str(out), str(line)],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=300,
        )
    except subprocess.TimeoutExpired:
        raise ValueError("running the page up to the diagram took over 300 s") from None
    if done.returncode or not out.exists():
        out.unlink(missing_ok=True)
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-12:])
        raise ValueError(f"running the page up to the diagram failed:\n{tail}")
    found = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    if not found or "error" in found[0]:
        raise ValueError(found[0]["error"] if found else "the harness found no such diagram")
    result = found[0]["schema"]
    out.write_text(json.dumps(result), encoding="utf-8")
    out.replace(cached)
    return result


def draw(schema: dict) -> Path:
    """The SVG of ``schema``, drawn once per DOT source (and Graphviz and drawing code)."""
    source = dot_source(schema)
    svg = CACHE / f"schema-{_key(source, graphviz_version(), _sources(DRAWING))}.svg"
    if svg.exists():
        return svg
    try:
        done = subprocess.run(
            ["dot", "-Tsvg"], input=source, capture_output=True, text=True, check=False, timeout=60
        )
    except subprocess.TimeoutExpired:
        raise ValueError("dot took over 60 s to draw the diagram") from None
    if done.returncode:
        raise ValueError(f"dot failed: {done.stderr.strip()}")
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = svg.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(_slim(done.stdout), encoding="utf-8")
    tmp.replace(svg)
    return svg


def _slim(svg: str) -> str:
    """The SVG without what a browser ignores: the XML prolog, comments, titles."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<title>.*?</title>\n?", "", svg)
    return svg


def size(svg: Path) -> tuple[int, int]:
    """The drawing's width and height in CSS pixels (one Graphviz point each: its text is set
    at ``fontsize`` pixels, a little under the page's text)."""
    head = svg.read_text(encoding="utf-8")[:400]
    width, height = (float(re.search(rf'{d}="([\d.]+)pt"', head)[1]) for d in ("width", "height"))
    return math.ceil(width), math.ceil(height)


class SchemaDiagram(SphinxDirective):
    """``{schema-diagram} EXPRESSION``: the tables of the MetaData it gives, drawn."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar[dict] = {}

    def run(self) -> list[nodes.Node]:
        path = Path(self.env.doc2path(self.env.docname))
        expression = self.arguments[0]
        try:
            # the page model that booktools.sphinxext.pages made of this very source
            page = self.env.temp_data.get("book_page")
            schema = describe_at(path, self.lineno, expression, page)
            svg = draw(schema)
        except (ValueError, StopIteration) as error:
            message = str(error) or f"no schema-diagram on line {self.lineno} of the page model"
            logger.warning(f"schema-diagram {expression!r}: {message}", location=self.get_location())
            return []
        width, height = size(svg)
        text = " ".join(line.strip() for line in self.content).strip() or caption(schema)
        node = schema_diagram(
            svg=str(svg), width=width, height=height, alt=alt_text(schema),
            caption=f"{text} {LEGEND}" if any(t["foreign_keys"] for t in schema["tables"]) else text,
        )
        self.set_source_info(node)
        return [node]


def visit_html(self, node: schema_diagram) -> None:
    svg = Path(node["svg"])
    images = Path(self.builder.outdir) / self.builder.imagedir
    target = images / svg.name
    if not target.exists():
        images.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(svg, target)
    src = f"{self.builder.imgpath}/{svg.name}"
    self.schema_diagrams = getattr(self, "schema_diagrams", 0) + 1  # one translator per page
    caption_id = f"schema-diagram-{self.schema_diagrams}"
    width, height = node["width"], node["height"]
    self.body.append(
        '<figure class="schema-diagram">'
        # On a phone a wide diagram would shrink until its text is unreadable: there the
        # frame scrolls sideways instead (book.css), and so can be focused to scroll it.
        f'<div class="schema-diagram-frame" tabindex="0" role="region" '
        f'aria-labelledby="{caption_id}" style="--diagram-width: {width}px">'
        # dark-light: the theme leaves it as drawn in the dark theme (no white background, no
        # dimming), since the drawing is made to read on both
        f'<img class="dark-light" src="{html.escape(src)}" width="{width}" height="{height}" '
        f'loading="lazy" decoding="async" alt="{html.escape(node["alt"])}"></div>'
        f'<figcaption id="{caption_id}"><p>{html.escape(node["caption"])}</p></figcaption>'
        "</figure>\n"
    )
    raise nodes.SkipNode


def skip(self, node: nodes.Node) -> None:
    raise nodes.SkipNode


def need_dot(app: Sphinx, config) -> None:
    if shutil.which("dot") is None:
        raise ExtensionError(
            "the schema diagrams need Graphviz's `dot`, which is not on PATH: install Graphviz "
            "(`sudo apt-get install graphviz`); `nox -s docs` installs it when it can"
        )


def setup(app: Sphinx) -> dict:
    app.add_node(
        schema_diagram, html=(visit_html, None), text=(skip, None), latex=(skip, None),
        man=(skip, None), texinfo=(skip, None),
    )
    app.add_directive("schema-diagram", SchemaDiagram)
    app.connect("config-inited", need_dot)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
