"""Sphinx extension: Sphinx's highlighter reuses one Pygments formatter per set of options,
and marks up only the tokens that the page's colours tell apart."""

from __future__ import annotations

from collections.abc import Iterable

from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES, Text, _TokenType
from sphinx.application import Sphinx


def plain_tokens(style_names: Iterable[str]) -> frozenset[_TokenType]:
    """Token types that every one of these Pygments styles draws exactly as plain text.

    Pygments wraps each token in ``<span class="n">`` (a name), ``"p"`` (punctuation),
    ``"w"`` (white space)...; where the style gives that class the plain text's own look,
    in the light and in the dark theme, the span changes nothing on the page but its
    weight: on the errors page a tenth of its HTML, gzipped. ``book.css`` gives a block's
    text the styles' plain-text colour, which these spans carried.
    """
    plain = None
    for name in style_names:
        style = get_style_by_name(name)
        text = style.style_for_token(Text)
        same = {t for t in STANDARD_TYPES if t is not Text and style.style_for_token(t) == text}
        plain = same if plain is None else plain & same
    return frozenset(plain or ())


def _theme_styles(app: Sphinx) -> list[str]:
    """The light and the dark Pygments style of pydata-sphinx-theme's pygments.css."""
    options = {**app.builder.theme.get_options(), **getattr(app.builder, "theme_options", {})}
    return [options[f"pygments_{mode}_style"] for mode in ("light", "dark")]


def reuse_formatters(app: Sphinx, plain: frozenset[_TokenType] = frozenset()) -> None:
    """Make Sphinx's highlighter reuse one Pygments formatter per set of options.

    Sphinx builds a new ``HtmlFormatter`` for every code block, and each one converts the
    whole colour style into CSS classes first: with some 2,000 blocks that was a tenth of
    the build (see bench/README.md). A formatter keeps no state between blocks, so one per
    set of options gives the same HTML. Tokens of a ``plain`` type get no span.
    """
    for name in ("highlighter", "dark_highlighter"):
        bridge = getattr(app.builder, name, None)
        if bridge is None:
            continue
        make, formatters = bridge.get_formatter, {}

        def get_formatter(make=make, formatters=formatters, **options):
            key = repr(sorted(options.items()))
            if key not in formatters:
                formatters[key] = formatter = make(**options)
                if plain:
                    classes = formatter._get_css_classes
                    formatter._get_css_classes = lambda t: "" if t in plain else classes(t)
            return formatters[key]

        bridge.get_formatter = get_formatter


def highlight_plainly(app: Sphinx) -> None:
    if hasattr(app.builder, "theme"):
        reuse_formatters(app, plain_tokens(_theme_styles(app)))
    else:
        reuse_formatters(app)


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", highlight_plainly)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
