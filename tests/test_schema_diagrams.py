"""Schema diagrams: the description of a MetaData, its DOT and alt text, the harness that
evaluates a ``{schema-diagram}`` at its point of the page, and the build's cache.

See booktools/diagrams.py, booktools/verify/diagrams.py and
booktools/sphinxext/schema_diagrams.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import (
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

from booktools.diagrams import alt_text, caption, describe, dot_source
from booktools.pages import PageError, parse_page
from booktools.verify import backend, collect
from booktools.verify.diagrams import page_diagrams

ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ["pytester"]


def shop() -> MetaData:
    metadata = MetaData()
    Table(
        "customer", metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(100), nullable=False),
        Column("email", String(200), unique=True),
    )
    Table(
        "invoice", metadata,
        Column("id", Integer, primary_key=True),
        Column("customer_id", ForeignKey("customer.id"), nullable=False),
        Column("note", String(50)),
    )
    Table(
        "category", metadata,
        Column("id", Integer, primary_key=True),
        Column("parent_id", ForeignKey("category.id")),
    )
    Table(
        "invoice_line", metadata,
        Column("invoice_id", ForeignKey("invoice.id"), primary_key=True),
        Column("number", Integer, primary_key=True),
        Column("sku", String(20), nullable=False),
        UniqueConstraint("invoice_id", "sku"),
    )
    Table(
        "refund", metadata,
        Column("id", Integer, primary_key=True),
        Column("invoice_id", Integer, nullable=False),
        Column("line_number", Integer, nullable=False),
        ForeignKeyConstraint(
            ["invoice_id", "line_number"], ["invoice_line.invoice_id", "invoice_line.number"]
        ),
    )
    return metadata


def table(schema: dict, name: str) -> dict:
    return next(t for t in schema["tables"] if t["name"] == name)


def column(schema: dict, table_name: str, name: str) -> dict:
    return next(c for c in table(schema, table_name)["columns"] if c["name"] == name)


def test_describe_lists_tables_parents_first_with_their_columns():
    schema = describe(shop())
    names = [t["name"] for t in schema["tables"]]
    assert set(names) == {"customer", "invoice", "category", "invoice_line", "refund"}
    assert names.index("customer") < names.index("invoice") < names.index("invoice_line")
    assert names.index("invoice_line") < names.index("refund")
    assert [c["name"] for c in table(schema, "customer")["columns"]] == ["id", "name", "email"]
    assert column(schema, "customer", "name")["type"] == "VARCHAR(100)"
    assert column(schema, "invoice", "customer_id")["type"] == "INTEGER"  # from its target


def test_describe_marks_keys_nullability_and_uniqueness():
    schema = describe(shop())
    assert column(schema, "customer", "id") == {
        "name": "id", "type": "INTEGER", "pk": True, "fk": False, "nullable": False,
        "unique": False,
    }
    assert column(schema, "customer", "email")["unique"]
    assert column(schema, "customer", "email")["nullable"]
    assert not column(schema, "customer", "name")["nullable"]
    assert column(schema, "invoice", "customer_id")["fk"]
    # a composite unique constraint marks no single column unique
    assert not column(schema, "invoice_line", "sku")["unique"]


def test_describe_composite_and_self_referential_keys():
    schema = describe(shop())
    line = table(schema, "invoice_line")
    assert [c["name"] for c in line["columns"] if c["pk"]] == ["invoice_id", "number"]
    assert column(schema, "invoice_line", "invoice_id")["fk"]
    assert table(schema, "refund")["foreign_keys"] == [
        {
            "columns": ["invoice_id", "line_number"],
            "table": "invoice_line",
            "referred": ["invoice_id", "number"],
        }
    ]
    assert table(schema, "category")["foreign_keys"] == [
        {"columns": ["parent_id"], "table": "category", "referred": ["id"]}
    ]


def test_dot_has_a_card_per_table_and_an_edge_per_foreign_key():
    dot = dot_source(describe(shop()))
    for name in ("customer", "invoice", "category", "invoice_line", "refund"):
        assert re.search(rf'^  "{name}" \[label=<<table', dot, re.MULTILINE)
    edges = re.findall(r"^  (\S+) -> (\S+) \[label=<(.*)>\];$", dot, re.MULTILINE)
    ends = {(tail, head) for tail, head, _ in edges}
    assert ends == {
        # the rows' ports are the columns' positions: invoice.customer_id is its second
        ('"invoice":c1_w:w', '"customer":c0_e:e'),
        ('"invoice_line":c0_w:w', '"invoice":c0_e:e'),
        ('"refund":c1_w:w', '"invoice_line":c0_e:e'),
        # a table that refers to itself: a loop on its right side
        ('"category":c1_e:e', '"category":c0_e:e'),
    }
    labels = {tail: label for tail, _, label in edges}
    assert ">invoice_id, line_number<" in labels['"refund":c1_w:w']  # composite
    assert ">customer_id<" in labels['"invoice":c1_w:w']


def test_tables_of_one_name_in_two_schemas_are_two_cards():
    metadata = MetaData()
    Table("invoice", metadata, Column("id", Integer, primary_key=True))
    Table(
        "invoice", metadata,
        Column("id", Integer, primary_key=True),
        Column("invoice_id", ForeignKey("invoice.id")),  # to the default schema's
        schema="audit",
    )
    Table(
        "refund", metadata,
        Column("id", Integer, primary_key=True),
        Column("audit_id", ForeignKey("audit.invoice.id")),  # to the audit schema's
    )
    schema = describe(metadata)
    assert sorted(t["name"] for t in schema["tables"]) == ["audit.invoice", "invoice", "refund"]
    assert table(schema, "refund")["foreign_keys"] == [
        {"columns": ["audit_id"], "table": "audit.invoice", "referred": ["id"]}
    ]
    dot = dot_source(schema)
    assert re.search(r'^  "invoice" \[label=<<table.*<b>invoice</b>', dot, re.MULTILINE)
    assert re.search(r'^  "audit.invoice" \[label=<<table.*<b>audit.invoice</b>', dot, re.MULTILINE)
    edges = set(re.findall(r"^  (\S+) -> (\S+) \[label=", dot, re.MULTILINE))
    assert edges == {
        ('"audit.invoice":c1_w:w', '"invoice":c0_e:e'),
        ('"refund":c1_w:w', '"audit.invoice":c0_e:e'),
    }
    assert "refund (primary key id, audit_id -> audit.invoice.id)" in alt_text(schema)


def test_dot_rows_show_types_and_marks():
    dot = dot_source(describe(shop()))
    customer = next(line for line in dot.splitlines() if line.startswith('  "customer" ['))
    assert "<b>customer</b>" in customer
    assert ">VARCHAR(200) NULL<" in customer and ">UQ<" in customer
    line = next(line for line in dot.splitlines() if line.startswith('  "invoice_line" ['))
    assert ">PK FK<" in line and line.count(">PK<") == 1


def test_dot_escapes_names():
    metadata = MetaData()
    Table('odd "name" <x>', metadata, Column("a&b", Integer, primary_key=True))
    dot = dot_source(describe(metadata))
    assert '"odd \\"name\\" <x>" [label=' in dot
    assert "<b>odd &quot;name&quot; &lt;x&gt;</b>" in dot and ">a&amp;b<" in dot


def test_alt_text_lists_tables_keys_and_references():
    text = alt_text(describe(shop()))
    assert text.startswith("Entity-relationship diagram: ")
    assert "customer (primary key id, name, email)" in text
    assert "invoice (primary key id, customer_id -> customer.id, note)" in text
    assert "category (primary key id, parent_id -> category.id)" in text
    assert "invoice_line (primary key invoice_id -> invoice.id and number, sku)" in text
    assert (
        "refund (primary key id, invoice_id -> invoice_line.invoice_id, "
        "line_number -> invoice_line.number)"
    ) in text


def test_caption_names_the_tables():
    metadata = MetaData()
    Table("customer", metadata, Column("id", Integer, primary_key=True))
    assert caption(describe(metadata)) == "The schema: the table customer."
    assert caption(describe(shop())).endswith("and refund, linked by 4 foreign keys.")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_dot_draws_a_small_svg_without_fonts_or_scripts():
    done = subprocess.run(
        ["dot", "-Tsvg"], input=dot_source(describe(shop())), capture_output=True, text=True,
        check=True,
    )
    svg = done.stdout
    assert "<svg" in svg and "Warning" not in done.stderr
    assert "@font-face" not in svg and "<script" not in svg and "<image" not in svg
    assert 'fill="white"' not in svg  # no background: the page's own shows through
    assert len(svg.encode()) < 30_000


# --- the page model and the harness ---------------------------------------------------------

PAGE = textwrap.dedent(
    """\
    # Shop

    ```python
    from sqlalchemy import ForeignKey, create_engine
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    engine = create_engine("sqlite://", echo=True)


    class Base(DeclarativeBase):
        pass


    class Customer(Base):
        __tablename__ = "customer"
        id: Mapped[int] = mapped_column(primary_key=True)
    ```

    % only: postgresql
    ```python
    class PostgresOnly(Base):
        __tablename__ = "postgres_only"
        id: Mapped[int] = mapped_column(primary_key=True)
    ```

    % skip: next "not run"
    ```python
    class Skipped(Base):
        __tablename__ = "skipped"
        id: Mapped[int] = mapped_column(primary_key=True)
    ```

    ```{schema-diagram} Base.metadata
    ```

    ```python
    class Invoice(Base):
        __tablename__ = "invoice"
        id: Mapped[int] = mapped_column(primary_key=True)
        customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    ```

    ```{schema-diagram} Base.metadata
    ```
    """
)


def test_the_page_model_knows_the_diagrams_and_the_code_before_them():
    page = parse_page("page.md", PAGE)
    first, second = page.diagrams
    assert (first.argument, first.line) == ("Base.metadata", PAGE.split("\n").index(
        "```{schema-diagram} Base.metadata") + 1)
    assert PAGE[first.start : first.end] == "```{schema-diagram} Base.metadata\n```"
    assert len(page.code_before(first.start)) == 4  # three blocks and the skip
    assert len(page.code_before(second.start)) == 5


def test_a_diagram_inside_a_tab_is_refused():
    page = "::::{tab-set}\n:::{tab-item} SQLite\n:sync: sqlite\n```{schema-diagram} m\n```\n:::\n::::\n"
    with pytest.raises(PageError, match="schema-diagram inside a tab-item"):
        parse_page("page.md", page)


def test_each_diagram_shows_the_tables_at_its_point_of_the_sqlite_run(tmp_path, monkeypatch):
    # the build draws from the SQLite run (it runs pages without BOOK_DATABASE_URL); in this
    # process a PostgreSQL run's backend is already decided, so the SQLite run is put in place
    sqlite_run = backend.Run("sqlite", backend.current_run().series, None)
    for module in (backend, collect):
        monkeypatch.setattr(module, "current_run", lambda: sqlite_run)
    path = tmp_path / "page.md"
    path.write_text(PAGE, encoding="utf-8")
    first, second = page_diagrams(path)
    # the block for PostgreSQL and the skipped block did not run; Invoice comes later
    assert [t["name"] for t in first["schema"]["tables"]] == ["customer"]
    assert [t["name"] for t in second["schema"]["tables"]] == ["customer", "invoice"]
    assert first["line"] < second["line"]
    # asked for one, it stops there
    assert page_diagrams(path, {first["line"]}) == [first]


def test_the_tests_evaluate_each_diagram(run_page):
    run_page(PAGE).assert_outcomes(passed=5, skipped=2)  # the skip marker passes too


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("Base.metdata", "failed: AttributeError: type object 'Base' has no attribute 'metdata'"),
        ("Customer", "is a DeclarativeAttributeIntercept, not a MetaData"),
        ("__import__('sqlalchemy').MetaData()", "holds no table"),
    ],
)
def test_a_wrong_diagram_fails_the_tests_naming_page_and_line(run_page, argument, message):
    page = PAGE.replace("```{schema-diagram} Base.metadata", "```{schema-diagram} " + argument, 1)
    line = page.split("\n").index("```{schema-diagram} " + argument) + 1
    result = run_page(page)
    result.assert_outcomes(passed=4, skipped=2, failed=1)
    assert f"page.md:{line}: schema-diagram {argument!r} {message}" in result.stdout.str()


# --- the build's cache ---------------------------------------------------------------------


def test_the_build_runs_a_page_once_then_reads_the_cache(tmp_path, monkeypatch):
    from booktools.sphinxext import schema_diagrams

    monkeypatch.setattr(schema_diagrams, "CACHE", tmp_path / "cache")
    path = tmp_path / "page.md"
    path.write_text(PAGE, encoding="utf-8")
    line = parse_page(path).diagrams[1].line
    schema = schema_diagrams.describe_at(path, line, "Base.metadata")
    assert [t["name"] for t in schema["tables"]] == ["customer", "invoice"]
    assert len(list((tmp_path / "cache").glob("*.json"))) == 1

    def no_run(*args, **kwargs):
        raise AssertionError("the page ran again")

    monkeypatch.setattr(schema_diagrams.subprocess, "run", no_run)
    assert schema_diagrams.describe_at(path, line, "Base.metadata") == schema
    # prose changes keep the cache; code before the diagram does not
    path.write_text(PAGE.replace("# Shop", "# The shop"), encoding="utf-8")
    assert schema_diagrams.describe_at(path, line, "Base.metadata") == schema
    path.write_text(PAGE.replace('"customer"', '"client"', 1), encoding="utf-8")
    with pytest.raises(AssertionError, match="the page ran again"):
        schema_diagrams.describe_at(path, line, "Base.metadata")


@pytest.mark.parametrize("edited", [0, 1], ids=["describe", "harness"])
def test_an_edit_to_the_describing_code_runs_the_page_again(tmp_path, monkeypatch, edited):
    from booktools.sphinxext import schema_diagrams

    monkeypatch.setattr(schema_diagrams, "CACHE", tmp_path / "cache")
    path = tmp_path / "page.md"
    path.write_text(PAGE, encoding="utf-8")
    line = parse_page(path).diagrams[1].line
    schema = schema_diagrams.describe_at(path, line, "Base.metadata")

    def no_run(*args, **kwargs):
        raise AssertionError("the page ran again")

    monkeypatch.setattr(schema_diagrams.subprocess, "run", no_run)
    assert schema_diagrams.describe_at(path, line, "Base.metadata") == schema
    # an edited copy of booktools/diagrams.py (describe()) or booktools/verify/diagrams.py
    # stands in for the file: what the old code described in the cache is not served
    files = list(schema_diagrams.DESCRIBING)
    copy = tmp_path / files[edited].name
    copy.write_text(files[edited].read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    files[edited] = copy
    monkeypatch.setattr(schema_diagrams, "DESCRIBING", tuple(files))
    with pytest.raises(AssertionError, match="the page ran again"):
        schema_diagrams.describe_at(path, line, "Base.metadata")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_another_graphviz_or_edited_drawing_code_draws_again(tmp_path, monkeypatch):
    from booktools.sphinxext import schema_diagrams

    monkeypatch.setattr(schema_diagrams, "CACHE", tmp_path / "cache")
    schema = describe(shop())
    svg = schema_diagrams.draw(schema)
    assert schema_diagrams.draw(schema) == svg
    assert "graphviz version" in schema_diagrams.graphviz_version()
    monkeypatch.setattr(schema_diagrams, "graphviz_version", lambda: "dot - graphviz version 99")
    other = schema_diagrams.draw(schema)
    assert other != svg and other.exists()
    # an edited copy of the extension (``dot -Tsvg`` and _slim()) stands in for it
    copy = tmp_path / "schema_diagrams.py"
    source = Path(schema_diagrams.__file__).read_text(encoding="utf-8")
    copy.write_text(source + "# edited\n", encoding="utf-8")
    monkeypatch.setattr(schema_diagrams, "DRAWING", (copy,))
    assert schema_diagrams.draw(schema) not in {svg, other}


def test_a_wrong_diagram_fails_the_build_with_the_harness_message(tmp_path, monkeypatch):
    from booktools.sphinxext import schema_diagrams

    monkeypatch.setattr(schema_diagrams, "CACHE", tmp_path / "cache")
    path = tmp_path / "page.md"
    path.write_text(PAGE.replace("} Base.metadata", "} Customer", 1), encoding="utf-8")
    line = parse_page(path).diagrams[0].line
    with pytest.raises(ValueError, match=f"page.md:{line}: .* not a MetaData"):
        schema_diagrams.describe_at(path, line, "Customer")
    assert not list((tmp_path / "cache").glob("*.json"))


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_the_page_shows_a_lazy_image_with_size_alt_text_and_caption(tmp_path, monkeypatch):
    from sphinx.application import Sphinx

    from booktools.sphinxext import schema_diagrams

    monkeypatch.setattr(schema_diagrams, "CACHE", tmp_path / "cache")
    monkeypatch.delenv("BOOK_DATABASE_URL", raising=False)
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(
        "extensions = ['myst_parser', 'booktools.sphinxext.pages',"
        " 'booktools.sphinxext.schema_diagrams']\n",
        encoding="utf-8",
    )
    (source / "index.md").write_text(PAGE, encoding="utf-8")
    out = tmp_path / "html"
    app = Sphinx(source, source, out, tmp_path / "doctrees", "html", status=None, warning=None)
    app.build()
    page = (out / "index.html").read_text(encoding="utf-8")
    figures = re.findall(r'<figure class="schema-diagram">.*?</figure>', page, re.DOTALL)
    assert len(figures) == 2
    image = re.search(r"<img ([^>]*)>", figures[1])[1]
    assert 'loading="lazy"' in image and 'class="dark-light"' in image
    width, height = re.search(r'width="(\d+)" height="(\d+)"', image).groups()
    assert int(width) > 100 and int(height) > 50
    assert (
        'alt="Entity-relationship diagram: customer (primary key id); '
        'invoice (primary key id, customer_id -&gt; customer.id)."'
    ) in image
    assert (
        "<figcaption id=\"schema-diagram-2\"><p>The schema: the tables customer and invoice, "
        "linked by 1 foreign key. Arrows point from a foreign key to the table it refers to."
    ) in figures[1]
    # the first diagram, of one table with no foreign key, has no legend for arrows
    assert "The schema: the table customer.</p>" in figures[0]
    svg = out / re.search(r'src="([^"]+)"', image)[1]
    assert svg.read_text(encoding="utf-8").startswith("<svg")
    assert len(list((tmp_path / "cache").glob("*.json"))) == 2


def test_a_build_without_dot_stops_saying_to_install_graphviz(monkeypatch):
    from sphinx.errors import ExtensionError

    from booktools.sphinxext import schema_diagrams

    monkeypatch.setattr(schema_diagrams.shutil, "which", lambda name: None)
    with pytest.raises(ExtensionError, match=r"install Graphviz \(`sudo apt-get install graphviz`\)"):
        schema_diagrams.need_dot(None, None)
