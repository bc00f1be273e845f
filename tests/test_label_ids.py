"""booktools.sphinxext.label_ids: labels such as error codes keep their exact name as id."""

from sphinx.application import Sphinx

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
    source, out = tmp_path / "source", tmp_path / "out"
    source.mkdir()
    extensions = ["myst_parser", "booktools.sphinxext.label_ids"]
    (source / "conf.py").write_text(f"extensions = {extensions!r}\n")
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
