"""booktools.sphinx_ext: what the book's Sphinx extension changes in Sphinx's highlighting."""

from types import SimpleNamespace

from sphinx.highlighting import PygmentsBridge

from booktools.sphinx_ext import reuse_formatters

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
