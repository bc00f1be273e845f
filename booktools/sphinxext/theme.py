"""Keeps sphinx-book-theme's look while sending readers a fraction of its weight.

The theme draws about twenty icons with FontAwesome: a 1.5 MB script plus two webfonts,
about 770 KB gzipped on every first visit. This extension draws the same icons, the
theme's own FontAwesome outlines, from a small stylesheet that it writes at the end of
each build with only the icons the built pages use, as CSS masks coloured with
``currentColor`` (so they follow the light and dark themes). Two template overrides in
``docs/_templates`` stop loading the FontAwesome script, and Sphinx's search index, which the
theme loads on every page for its own search-as-you-type (the book searches with Pagefind
instead: :mod:`.search`, and no page loads Sphinx's index). The theme's stylesheet loses the two thousand FontAwesome
icon rules (``.fa-house{--fa:"\\f015"}``) that these masks make unused, about 20 KB
gzipped; myst-nb's and sphinx-design's assets are linked only from pages that use them.

The outlines come from the FontAwesome bundle of the installed pydata-sphinx-theme, so no
third-party file is copied into this repository, and an icon a future theme version
starts using is picked up automatically; an icon that cannot be found is a build warning,
hence a failed build.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pydata_sphinx_theme
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

ICONS_CSS = "icons.css"
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


def _uses_design(doctree) -> bool:
    return doctree is not None and any(
        c.startswith("sd-") for node in doctree.findall(nodes.Element) for c in node["classes"]
    )


def link_assets_where_used(app: Sphinx, pagename: str, templatename: str, context, doctree):
    """Link myst-nb's notebook stylesheet only from notebook pages, and sphinx-design's
    stylesheet and tab script only from pages with tabs, cards or other design elements."""
    unused = set()
    if "kernelspec" not in app.env.metadata.get(pagename, {}):
        unused.add("mystnb.")
    if not _uses_design(doctree):
        unused |= {"sphinx-design.", "design-tabs.js"}

    def used(asset) -> bool:
        name = Path(str(getattr(asset, "filename", asset))).name
        return not any(name.startswith(prefix) for prefix in unused)

    for key in ("css_files", "script_files"):
        context[key] = [asset for asset in context.get(key, []) if used(asset)]


def trim_theme(app: Sphinx, exception: Exception | None) -> None:
    if exception or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    theme_css = outdir / "_static" / "styles" / "pydata-sphinx-theme.css"
    theme_css.write_text(
        without_icon_rules(theme_css.read_text(encoding="utf-8")), encoding="utf-8"
    )
    used = set()
    for page in outdir.rglob("*.html"):
        used |= icons_in(page.read_text(encoding="utf-8"))
    css, missing = icons_css(used, fontawesome_outlines())
    for name in sorted(missing):
        logger.warning("theme icon fa-%s has no outline in %s", name, FONTAWESOME_BUNDLE)
    (outdir / "_static" / ICONS_CSS).write_text(css, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, object]:
    app.add_css_file(ICONS_CSS)
    app.connect("html-page-context", link_assets_where_used)
    app.connect("build-finished", trim_theme)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
