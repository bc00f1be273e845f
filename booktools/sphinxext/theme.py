"""Keeps sphinx-book-theme's look and behaviour while sending readers a fraction of its
weight: every page's first visit within the site's budget (``booktools/site/server.py``;
docs/maintaining.md, "The site's weight").

* **Icons.** The theme draws about twenty icons with FontAwesome: a 1.5 MB script plus two
  webfonts. This extension draws the same icons, the theme's own FontAwesome outlines, from
  a small stylesheet, ``icons.css``, with only the icons the built pages use, as CSS masks
  coloured with ``currentColor`` (so they follow the light and dark themes); the theme's
  stylesheet loses the two thousand FontAwesome icon rules (``.fa-house{--fa:"\\f015"}``)
  that these masks make unused. The outlines come from the FontAwesome bundle of the
  installed pydata-sphinx-theme, so no third-party file is copied into this repository, and
  an icon a future theme version starts using is picked up automatically; an icon that
  cannot be found is a build warning, hence a failed build.
* **One stylesheet.** Each page links ``site.css`` only (docs/_templates/static/
  webpack-macros.html): every stylesheet of Sphinx, the theme, the extensions and the book,
  in the order the pages linked them, less what no page uses (PurgeCSS, run under Node at
  the end of the build by ``purgecss.cjs``; :data:`SAFELIST`, :data:`BLOCKLIST`), minified.
  myst-nb's rules go to ``site-notebook.css``, linked from notebook pages only.
* **Scripts where and when they are used.** No Bootstrap script (docs/_static/book-theme.js
  does what the pages used of it), no FontAwesome script, no Sphinx search index (which the
  theme loads on every page for a search-as-you-type the book replaces with Pagefind:
  :mod:`.search`); :data:`UNUSED_SCRIPTS` are not linked; sphinx-copybutton's script loads
  on the reader's first interaction with a page that has code, and book-tabs.js replaces
  sphinx-design's tab script on pages with tabs.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pydata_sphinx_theme
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

from booktools.site.server import site_pages

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
ICONS_CSS = "icons.css"
#: The one stylesheet every page links (docs/_templates/static/webpack-macros.html), and the
#: one that notebook pages link as well: myst-nb's stylesheet, which only they use.
STYLESHEET = "site.css"
NOTEBOOK_STYLESHEET = "site-notebook.css"
NOTEBOOK_STYLESHEETS = ("mystnb.",)  # their names begin so
#: What the theme links before the extensions' stylesheets: its theme.css only imports
#: Sphinx's basic.css.
THEME_STYLESHEETS = ["basic.css", "styles/pydata-sphinx-theme.css"]
#: Scripts that Sphinx and its extensions link from every page and that no page here needs:
#: doctools.js serves Sphinx's own search page, arrow-key navigation (both off: the book
#: searches with Pagefind, whose dialog opens with the search button and Ctrl+K) and the "/"
#: key that puts the cursor in the search field (docs/_static/book-theme.js opens the dialog
#: with it);
#: sphinx_highlight.js marks the words of Sphinx's search results (``?highlight=``), which
#: Pagefind's results do not use; clipboard.min.js is replaced by a few lines of
#: book-theme.js.
UNUSED_SCRIPTS = frozenset({"doctools.js", "sphinx_highlight.js", "clipboard.min.js"})
PURGECSS_SCRIPT = Path(__file__).with_name("purgecss.cjs")
#: Selectors PurgeCSS must keep although no page or script names them as it reads them.
#: Every entry says why; the browser tests and the screenshots of the site's weight work
#: (docs/maintaining.md) check that nothing visible is lost.
SAFELIST: dict[str, list[str]] = {
    "standard": [],
    "deep": [],
    "greedy": [],
}
#: Selectors PurgeCSS must drop although pages or scripts name them: the parts of
#: pydata-sphinx-theme that its script can draw but this site never turns on (a version
#: switcher, announcement and version-warning banners, a collapsible primary sidebar), and
#: Bootstrap's tooltips, which only Bootstrap's script drew (book-theme.js leaves the titles
#: to the browser). Regular expressions, matched against class names and ids.
BLOCKLIST: list[str] = [
    r"^version-switcher",
    r"^list-group",  # the version switcher's menu
    r"^bd-header-announcement$",
    r"^bd-header-version-warning$",
    r"^pst-button-link-to-stable-version$",
    r"^pst-async-banner-revealer$",
    r"^pst-expand-sidebar-label$",
    r"^tooltip",
    r"^bs-tooltip-",
]
NO_NODE = (
    "the book's build needs Node.js to remove unused CSS with PurgeCSS: install Node.js 18.16 "
    "or newer (`sudo apt-get install nodejs npm`), then run `npm ci` in the repository"
)
NO_PURGECSS = (
    f"PurgeCSS is not installed in {ROOT / 'node_modules'}: run `npm ci` in the repository "
    "(package.json pins it)"
)
FONTAWESOME_BUNDLE = (
    Path(pydata_sphinx_theme.__file__).parent
    / "theme/pydata_sphinx_theme/static/scripts/fontawesome.js"
)

# In the bundle each icon is `name:[width,height,[aliases...],"unicode","svg path"]`, the
# name quoted when it is not a JavaScript identifier ("magnifying-glass", but sun).
_ICON = re.compile(r'(?<![\w-])"?([a-z0-9-]+)"?:\[(\d+),(\d+),\[([^\]]*)\],"[0-9a-f]+","([^"]+)"\]')
# Style classes ("fa-solid", "fab", ...) and modifiers ("fa-lg", ...) are not icons.
_NOT_ICONS = {"solid", "regular", "brands", "lg", "fw", "xs", "sm", "xl", "2x", "custom"}
_USED = re.compile(r'class="[^"]*\bfa[bsr]?\b[^"]*"|class="[^"]*\bfa-(?:solid|brands)\b[^"]*"')


def fontawesome_outlines(bundle: Path = FONTAWESOME_BUNDLE) -> dict[str, tuple[int, int, str]]:
    """Every icon of the bundle by name and alias: (width, height, SVG path data)."""
    outlines: dict[str, tuple[int, int, str]] = {}
    for name, width, height, aliases, path in _ICON.findall(bundle.read_text(encoding="utf-8")):
        outline = (int(width), int(height), path)
        outlines.setdefault(name, outline)
        for alias in json.loads(f"[{aliases}]"):
            if isinstance(alias, str):
                outlines.setdefault(alias, outline)
    return outlines


def icons_in(html: str) -> set[str]:
    """Names of the FontAwesome icons that an HTML page uses."""
    names = set()
    for match in _USED.finditer(html):
        names |= set(re.findall(r"\bfa-([a-z0-9-]+)", match.group()))
    return names - _NOT_ICONS


def icons_css(names: set[str], outlines: dict[str, tuple[int, int, str]]) -> tuple[str, set[str]]:
    """The stylesheet drawing ``names``, and the names that have no outline."""
    styles = ".fa,.fas,.fab,.far,.fa-solid,.fa-brands,.fa-regular"
    before = ",".join(f"{style}::before" for style in styles.split(","))
    rules = [
        # Replace the webfont glyph by a mask of the icon's outline, in the text colour.
        (
            f"{styles}{{font-family:inherit!important;display:inline-block;width:1em;height:1em;"
            "vertical-align:-.125em}"
        ),
        ".fa-fw{width:1.25em}",
        (
            f"{before}{{content:''!important;display:block;width:100%;height:100%;"
            "background-color:currentColor;-webkit-mask:var(--book-icon) center/contain no-repeat;"
            "mask:var(--book-icon) center/contain no-repeat}"
        ),
    ]
    missing = set()
    for name in sorted(names):
        if name not in outlines:
            missing.add(name)
            continue
        width, height, path = outlines[name]
        svg = f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}'><path d='{path}'/></svg>"
        rules.append(
            f'.fa-{name}{{--book-icon:url("data:image/svg+xml,{quote(svg, safe=" =:/")}")}}'
        )
    return "\n".join(rules) + "\n", missing


_FONTAWESOME_RULE = re.compile(r'\.fa-[a-z0-9-]+(?:,\.fa-[a-z0-9-]+)*\{--fa:"[^"]*"\}')
_SOURCE_MAP = re.compile(r"/\*# sourceMappingURL=[^*]*\*/\s*$")


def without_icon_rules(css: str) -> str:
    """The theme's stylesheet minus FontAwesome's per-icon rules (and its now stale map)."""
    return _SOURCE_MAP.sub("", _FONTAWESOME_RULE.sub("", css))


def _has(doctree, test) -> bool:
    return doctree is not None and any(test(node) for node in doctree.findall(nodes.Element))


def _uses_tabs(doctree) -> bool:
    return _has(doctree, lambda node: "sd-tab-set" in node["classes"])


def _has_code(doctree) -> bool:
    return _has(doctree, lambda node: isinstance(node, nodes.literal_block))


def link_assets_where_used(app: Sphinx, pagename: str, templatename: str, context, doctree):
    """Link one stylesheet, :data:`STYLESHEET`, instead of every extension's (it holds theirs),
    and each script only from the pages that use it, when they use it: sphinx-copybutton's
    on pages with code, once the reader interacts with the page (book-theme.js loads it), and
    book-tabs.js instead of sphinx-design's tab script on pages with tabs; never the ones of
    :data:`UNUSED_SCRIPTS`."""
    context["book_stylesheet"] = STYLESHEET
    if "kernelspec" in app.env.metadata.get(pagename, {}):
        context["book_notebook_stylesheet"] = NOTEBOOK_STYLESHEET
    context["css_files"] = [css for css in context.get("css_files", []) if _remote(css)]
    scripts = []
    for js in context.get("script_files", []):
        name = _asset_name(js)
        if name in UNUSED_SCRIPTS:
            continue
        if name == "copybutton.js":
            if _has_code(doctree):
                url = context["pathto"]("_static/copybutton.js", resource=True)
                scripts.append(type(js)("", **{"data-on-interaction": url}))
            continue
        if name == "design-tabs.js":
            if _uses_tabs(doctree):
                scripts.append(type(js)("_static/book-tabs.js", defer="defer"))
            continue
        scripts.append(js)
    context["script_files"] = scripts


def _asset_name(asset) -> str:
    return Path(str(getattr(asset, "filename", asset)).split("?")[0]).name


def _remote(asset) -> bool:
    return "://" in str(getattr(asset, "filename", asset))


def _static_path(asset) -> str:
    """The path of a local asset under ``_static/``, without its ``?v=`` checksum."""
    name = str(getattr(asset, "filename", asset)).split("?")[0]
    return name.removeprefix("_static/")


# --- The stylesheet: every stylesheet in one, less what no page uses ----------------------

_LICENCE_OR_COMMENT = re.compile(r"/\*(!?)[\s\S]*?\*/")
_IMPORT = re.compile(r"@import[^;]*;")


def minify(css: str) -> str:
    """Comments (but licence banners, ``/*! ...*/``) and the white space around punctuation
    out: PurgeCSS keeps the stylesheets' own formatting, and two of them are not minified."""
    css = _LICENCE_OR_COMMENT.sub(lambda m: m.group() if m.group(1) else "", css)
    css = re.sub(r"\s+", " ", css)
    return re.sub(r"\s*([{};,>])\s*", r"\1", css).replace(";}", "}").strip() + "\n"


def stylesheets(app: Sphinx) -> list[str]:
    """The site's stylesheets under ``_static/``, in the order the pages linked them: the
    theme's (Sphinx's basic.css, which the theme's theme.css imports, and the theme's own),
    then every extension's and the book's."""
    names = list(THEME_STYLESHEETS)
    # Sphinx keeps them in a private list (9.x), and sorts each page's by priority.
    for css in sorted(app.builder._css_files, key=lambda css: css.priority):
        if not _remote(css) and _static_path(css) not in names:
            names.append(_static_path(css))
    return names


def scripts_in(outdir: Path, pages: list[Path]) -> list[Path]:
    """The scripts under ``_static/`` that pages load, at once or later (a loader names their
    path in the page), and the scripts that those name in turn."""
    static = outdir / "_static"
    found: dict[Path, None] = {}
    texts = [page.read_text(encoding="utf-8") for page in pages]
    while texts:
        text = texts.pop()
        for name in re.findall(r"_static/([\w./-]+?\.js)\b", text) + re.findall(
            r"[\"'/]([\w.-]+\.js)\b", text
        ):
            path = static / name
            if path.is_file() and path not in found:
                found[path] = None
                texts.append(path.read_text(encoding="utf-8"))
    return list(found)


def built_pages(outdir: Path) -> list[Path]:
    return [outdir / page for page in site_pages(outdir)]


def purge(css: str, pages: list[Path], scripts: list[Path]) -> str:
    """``css`` less the rules that neither ``pages`` nor ``scripts`` can use: PurgeCSS, run
    by Node (``purgecss.cjs``), with :data:`SAFELIST`."""
    job = {
        "css": css,
        "content": [{"path": str(p), "extension": "html"} for p in pages]
        + [{"path": str(p), "extension": "js"} for p in scripts],
        "safelist": SAFELIST,
        "blocklist": BLOCKLIST,
    }
    try:
        result = subprocess.run(
            [_node(), str(PURGECSS_SCRIPT)],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
    except subprocess.TimeoutExpired:
        raise ExtensionError("PurgeCSS did not finish in 600 s") from None
    if result.returncode:
        raise ExtensionError(f"PurgeCSS failed: {result.stderr.strip()}")
    return result.stdout


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise ExtensionError(NO_NODE)
    if not (ROOT / "node_modules" / "purgecss" / "package.json").is_file():
        raise ExtensionError(NO_PURGECSS)
    return node


def check_node(app: Sphinx) -> None:
    """Fail at once, not after the whole build, when PurgeCSS cannot run."""
    if app.builder.format == "html":
        _node()


def write_stylesheets(app: Sphinx, outdir: Path) -> None:
    """Write :data:`STYLESHEET`, and :data:`NOTEBOOK_STYLESHEET` from the stylesheets that
    only notebook pages use, each purged against the pages that link it."""
    static = outdir / "_static"
    shared: list[str] = []
    notebook: list[str] = []
    for name in stylesheets(app):
        css = (static / name).read_text(encoding="utf-8")
        if name == THEME_STYLESHEETS[1]:
            css = without_icon_rules(css)
        css = _IMPORT.sub("", _SOURCE_MAP.sub("", css))
        (notebook if name.startswith(NOTEBOOK_STYLESHEETS) else shared).append(css)
    pages = built_pages(outdir)
    link = re.compile(rf'<link href="[^"]*_static/{re.escape(NOTEBOOK_STYLESHEET)}"')
    notebook_pages = [p for p in pages if link.search(p.read_text(encoding="utf-8"))]
    for name, parts, readers in [
        (STYLESHEET, shared, pages),
        (NOTEBOOK_STYLESHEET, notebook, notebook_pages),
    ]:
        css = purge("\n".join(parts), readers, scripts_in(outdir, readers)) if readers else ""
        (static / name).write_text(minify(css), encoding="utf-8")


def trim_theme(app: Sphinx, exception: Exception | None) -> None:
    if exception or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    used = set()
    for page in outdir.rglob("*.html"):
        used |= icons_in(page.read_text(encoding="utf-8"))
    css, missing = icons_css(used, fontawesome_outlines())
    for name in sorted(missing):
        logger.warning("theme icon fa-%s has no outline in %s", name, FONTAWESOME_BUNDLE)
    (outdir / "_static" / ICONS_CSS).write_text(css, encoding="utf-8")
    write_stylesheets(app, outdir)


def setup(app: Sphinx) -> dict[str, object]:
    app.add_css_file(ICONS_CSS)
    app.connect("builder-inited", check_node)
    app.connect("html-page-context", link_assets_where_used)
    # After the theme's own build-finished handlers: pydata-sphinx-theme writes pygments.css
    # (light and dark) then.
    app.connect("build-finished", trim_theme, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
