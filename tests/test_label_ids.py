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

(o7r)=
## A label that is 3o7r's id as docutils would make it
"""

OTHER = """# Another chapter

A session that refuses work: {ref}`7s2a`; a pool that is full: {ref}`the pool <3o7r>`.
"""


def test_labels_keep_their_exact_name_as_id(tmp_path):
    """Docutils would make ``s2a`` of ``7s2a`` and ``id1`` of ``8s2a``; the page keeps both."""
    source, out = tmp_path / "source", tmp_path / "out"
    source.mkdir()
    extensions = ["myst_parser", "booktools.sphinxext.label_ids"]
    (source / "conf.py").write_text(f"extensions = {extensions!r}\n")
    (source / "index.md").write_text(PAGE)
    (source / "other.md").write_text(OTHER)
    app = Sphinx(source, source, out, out / ".doctrees", "html", status=None, warning=None)
    app.build()
    html = (out / "index.html").read_text()
    other = (out / "other.html").read_text()

    assert '<section id="7s2a">' in html
    assert '<section id="8s2a">' in html
    assert 'id="3o7r"' in html
    assert 'id="error-pending-rollback"' in html  # the older label still lands
    assert 'id="s2a"' not in html and 'id="id1"' not in html
    for code in ("7s2a", "8s2a", "3o7r"):
        assert f'href="#{code}"' in html
    assert '<section id="o7r">' in html  # the label that docutils' id of 3o7r would clash with
    # links from another page use the code too
    assert 'href="index.html#7s2a"' in other and 'href="index.html#3o7r"' in other
