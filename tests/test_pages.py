"""booktools.pages: a page read once into blocks, steps, run tags and markers."""

from __future__ import annotations

import pytest

from booktools.pages import PageError, parse_page

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


def test_snippets_in_page_order_with_their_tags():
    snippets = parse_page("page.md", PAGE).snippets()

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


def test_runs_on_follows_the_tags():
    marked = parse_page("page.md", PAGE).snippets()[3]

    assert marked.runs_on("sqlite", "sqlalchemy-2.1")
    assert not marked.runs_on("postgresql", "sqlalchemy-2.1")
    assert not marked.runs_on("sqlite", "sqlalchemy-2.0")
    assert parse_page("page.md", PAGE).snippets()[0].runs_on("postgresql", "sqlalchemy-2.0")


def test_steps_hold_their_expected_segments_and_page_lines():
    page = parse_page(
        "page.md",
        "```pycon\n>>> f()\n{sql}\nSELECT 1\n[generated in 0.001s] ()\n{/sql}\nok\n"
        "UserWarning: careful\n<BLANKLINE>\n```\n",
    )
    (step,) = page.code[0].steps
    assert (step.line, step.expected_line) == (2, 3)
    assert [(s.kind, s.lines) for s in step.expected] == [
        ("sql", ("SELECT 1", "[...] ()")),
        ("out", ("ok", "UserWarning: careful", "")),
    ]


NESTED = """\
# Markup, shown

`````markdown
```pycon
>>> shown_not_run = 1
```

````text
an inner literal block
````

% only: postgresql
```pycon
>>> also_shown_not_run = 2
```
`````

```pycon
>>> run = 3
```
"""


def test_code_inside_a_literal_block_is_text_however_deep():
    assert [s.source for s in parse_page("page.md", NESTED).snippets()] == ["run = 3\n"]


TABS = """\
::::::{tab-set}
:::::{tab-item} SQLite
:sync: sqlite

::::{tab-set}
:::{tab-item} SQLAlchemy 2.1
:sync: sqlalchemy-2.1
```pycon
>>> newest = True
```
:::
:::{tab-item} SQLAlchemy 2.0
:sync: sqlalchemy-2.0
```pycon
>>> older = True
```
:::
::::
:::::
:::::{tab-item} PostgreSQL
:sync: postgresql
```python
server = True
```
:::::
::::::
"""


def test_a_block_in_a_tab_takes_the_sync_of_every_tab_around_it():
    blocks = parse_page("page.md", TABS).code
    assert [set(b.tags) for b in blocks] == [
        {"sqlite", "sqlalchemy-2.1"},
        {"sqlite", "sqlalchemy-2.0"},
        {"postgresql"},
    ]
    assert [b.line for b in blocks] == [8, 14, 22]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("% only: mysql\n```python\nx = 1\n```\n", 1, "unknown tag(s) in '% only:' marker: mysql"),
        (
            TABS.replace(":sync: sqlalchemy-2.1\n", ":sync: sqlalchemy-2.1\n% only: sqlalchemy-2.1\n"),
            8,
            "'% only:' inside a tab-item",
        ),
        ("% only: sqlite\n\n```python\nx = 1\n```\n", 1, "'% only:' stands above no code block"),
        ("% only: sqlite\nSome prose.\n", 1, "'% only:' stands above no code block"),
        (
            TABS.replace(":sync: postgresql", ":sync: postgres"),
            21,
            "unknown tag(s) in the :sync: of a tab holding code: postgres",
        ),
        ("```python\n>>> x = 1\n```\n", 1, "a ```python block holds '>>>' prompts"),
        ("\n```pycon\n>>> x = 1\n{sql}\nSELECT 1\n```\n", 4, "{sql} section is not closed"),
        ("```pycon\n>>> x\n1\n\nstray\n```\n", 5, "is neither a '>>> ' prompt nor the output"),
    ],
)
def test_what_the_page_model_refuses_names_page_and_line(text, line, message):
    with pytest.raises(PageError) as refused:
        parse_page("docs/page.md", text)
    assert str(refused.value).startswith(f"docs/page.md:{line}: ")
    assert message in str(refused.value)


def test_a_tab_without_code_may_sync_on_anything():
    page = parse_page("page.md", "::::{tab-set}\n:::{tab-item} pip\n:sync: pip\nText.\n:::\n::::\n")
    assert page.code == ()
