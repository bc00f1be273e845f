"""booktools.sphinxext.highlighting: what the book changes in Sphinx's highlighting."""

from types import SimpleNamespace

from sphinx.highlighting import PygmentsBridge

from booktools.sphinxext.highlighting import plain_tokens, reuse_formatters

BLOCKS = [
    ("total = 1\n", "python", {}),
    (">>> total + 1\n2\n", "pycon", {"hl_lines": [1]}),
    ("total = 1\nprint(total)\n", "python", {"linenos": "inline"}),
]


def test_reused_formatters_highlight_as_fresh_ones():
    fresh, reused = PygmentsBridge("html"), PygmentsBridge("html")
    reuse_formatters(SimpleNamespace(builder=SimpleNamespace(highlighter=reused)))

    for _ in range(2):  # the second round is served by the formatters of the first
        for source, language, options in BLOCKS:
            expected = fresh.highlight_block(source, language, **options)
            assert reused.highlight_block(source, language, **options) == expected
    made = {id(reused.get_formatter(**options)) for _, _, options in BLOCKS}
    assert len(made) == len(BLOCKS)  # one per set of options, kept
    assert reused.get_formatter(hl_lines=[1]) is reused.get_formatter(hl_lines=[1])


def test_plain_tokens_are_those_drawn_as_plain_text_in_light_and_dark():
    from pygments.token import Keyword, Name, Punctuation, Text

    plain = plain_tokens(["a11y-high-contrast-light", "a11y-high-contrast-dark"])
    assert Name in plain and Punctuation in plain and Text.Whitespace in plain
    assert Keyword not in plain and Name.Builtin not in plain and Text not in plain


def test_plain_tokens_get_no_span_and_the_rest_are_unchanged():
    from pygments.token import Name, Punctuation, Text

    fresh, trimmed = PygmentsBridge("html"), PygmentsBridge("html")
    reuse_formatters(
        SimpleNamespace(builder=SimpleNamespace(highlighter=trimmed)),
        frozenset({Name, Punctuation, Text.Whitespace}),
    )
    source = "total = max(1, 2)\n"
    before = fresh.highlight_block(source, "python")
    after = trimmed.highlight_block(source, "python")
    assert '<span class="n">total</span>' in before and '<span class="p">(</span>' in before
    assert "total" in after and 'class="n"' not in after and 'class="p"' not in after
    assert '<span class="nb">max</span>' in after and '<span class="o">=</span>' in after
