"""Sphinx extension: Sphinx's highlighter reuses one Pygments formatter per set of options."""

from __future__ import annotations

from sphinx.application import Sphinx


def reuse_formatters(app: Sphinx) -> None:
    """Make Sphinx's highlighter reuse one Pygments formatter per set of options.

    Sphinx builds a new ``HtmlFormatter`` for every code block, and each one converts the
    whole colour style into CSS classes first: with some 2,000 blocks that was a tenth of
    the build (see bench/README.md). A formatter keeps no state between blocks, so one per
    set of options gives the same HTML.
    """
    for name in ("highlighter", "dark_highlighter"):
        bridge = getattr(app.builder, name, None)
        if bridge is None:
            continue
        make, formatters = bridge.get_formatter, {}

        def get_formatter(make=make, formatters=formatters, **options):
            key = repr(sorted(options.items()))
            if key not in formatters:
                formatters[key] = make(**options)
            return formatters[key]

        bridge.get_formatter = get_formatter


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", reuse_formatters)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
