"""booktools.snippets: a page's code in reading order, for the downloads and the benchmark."""

from booktools.snippets import page_snippets

PAGE = """\
# A page

Some prose.

```pycon
>>> total = 1
>>> total
1
```

% invisible-code-block: python
%
% hidden = 2

% only: sqlite, sqlalchemy-2.1
```pycon
>>> 1 / 0
Traceback (most recent call last):
...
ZeroDivisionError: division by zero
```

```text
>>> not_code = True
```

```python
last = 3
```
"""


def test_snippets_in_page_order_with_their_markers(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(PAGE)

    snippets = page_snippets(page)

    assert [s.source for s in snippets] == [
        "total = 1\n",
        "total\n",
        "\nhidden = 2\n",
        "1 / 0\n",
        "last = 3\n",
    ]
    assert [s.line for s in snippets] == [6, 7, 12, 17, 28]
    assert [s.visible for s in snippets] == [True, True, False, True, True]
    assert [s.raises for s in snippets] == [False, False, False, True, False]
    assert snippets[3].tags == {"sqlite", "sqlalchemy-2.1"}
    assert PAGE[snippets[0].start : snippets[0].end] == ">>> total = 1\n"


def test_runs_on_follows_the_only_markers(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(PAGE)

    marked = page_snippets(page)[3]

    assert marked.runs_on("sqlite", "sqlalchemy-2.1")
    assert not marked.runs_on("postgresql", "sqlalchemy-2.1")
    assert not marked.runs_on("sqlite", "sqlalchemy-2.0")
    assert page_snippets(page)[0].runs_on("postgresql", "sqlalchemy-2.0")


NESTED = """\
# Markup, shown

`````markdown
```pycon
>>> shown_not_run = 1
```

````text
an inner literal block
````

```pycon
>>> also_shown_not_run = 2
```
`````

```pycon
>>> run = 3
```
"""


def test_code_inside_a_literal_block_is_text_however_deep(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(NESTED, encoding="utf-8")

    assert [s.source for s in page_snippets(page)] == ["run = 3\n"]
