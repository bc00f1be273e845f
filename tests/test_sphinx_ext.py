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


PAGE = """# Errors

See {ref}`7s2a`, {ref}`8s2a` and [the pool](#3o7r).

(error-pending-rollback)=
(7s2a)=
## PendingRollbackError (7s2a)

(8s2a)=
## Inactive transaction (8s2a)

(3o7r)=
**3o7r**, a code on a paragraph.
"""


def test_labels_keep_their_exact_name_as_id(tmp_path):
    """Docutils would make ``s2a`` of ``7s2a`` and ``id1`` of ``8s2a``; the page keeps both."""
    from sphinx.application import Sphinx

    source, out = tmp_path / "source", tmp_path / "out"
    source.mkdir()
    (source / "conf.py").write_text('extensions = ["myst_parser", "booktools.sphinx_ext"]\n')
    (source / "index.md").write_text(PAGE)
    app = Sphinx(source, source, out, out / ".doctrees", "html", status=None, warning=None)
    app.build()
    html = (out / "index.html").read_text()

    assert '<section id="7s2a">' in html
    assert '<section id="8s2a">' in html
    assert 'id="3o7r"' in html
    assert 'id="error-pending-rollback"' in html  # the older label still lands
    assert 'id="s2a"' not in html and 'id="id1"' not in html
    for code in ("7s2a", "8s2a", "3o7r"):
        assert f'href="#{code}"' in html
