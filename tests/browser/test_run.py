"""Running the examples in the browser (issue 25): Run, Edit and Reset under the blocks.

Each test opens a chapter of the built site in Chromium, clicks the controls as a reader
does and compares what the run shows with what the page shows, the verified output. The
Python runs in Pyodide in a Web Worker, loaded from the site's own folder on the first Run
(booktools/sphinxext/run_buttons.py, docs/_static/book-run.js). No test asserts a timing;
the benchmark reports them (``nox -s bench``).
"""

from __future__ import annotations

import json
import os
import re

import pytest

if not os.environ.get("BOOK_SITE"):
    pytest.skip(
        "browser tests run in `nox -s browser`, which builds the site and sets BOOK_SITE",
        allow_module_level=True,
    )

from axe_playwright_python.sync_playwright import Axe
from test_site import _OVERFLOWING, AXE_OPTIONS, PHONE, SITE, _findings

#: Pyodide's first start on a loaded two-core machine takes seconds; this only bounds a hang.
RUN_TIMEOUT = 180_000  # milliseconds
AXE = Axe()


def program(chapter: str) -> dict:
    return json.loads((SITE / "_static" / "run" / f"{chapter}.json").read_text(encoding="utf-8"))


def runnable(chapter: str, kind: str | None = None) -> list[int]:
    """The indexes of the chapter's shown blocks that run, with expected output of ``kind``."""
    return [
        b["index"]
        for b in program(chapter)["blocks"]
        if b["shown"]
        and b["runnable"]
        and (kind is None or any(k == kind for s in b["steps"] for k, _ in s["expected"] or []))
    ]


def bar(page, index: int):
    return page.locator(f'.run-bar[data-run-block="{index}"]')


def open_editor(page, index: int):
    """Click the block's Edit; the first click loads the script, which then makes the
    editor: its textarea once it is there."""
    bar(page, index).get_by_role("button", name="Edit", exact=True).click()
    editor = page.locator("textarea.run-editor")
    editor.wait_for()
    return editor


def edit_first_sql_block(watched, base_url: str, chapter: str):
    """The chapter open with the editor of its first runnable block that shows SQL: the
    page, the block's index and the editor."""
    index = runnable(chapter, "sql")[0]
    page = open_chapter(watched, base_url, chapter)
    return page, index, open_editor(page, index)


def run(page, index: int) -> str:
    """Click Run under block ``index``; wait for the result; return its verdict's text."""
    bar(page, index).get_by_role("button", name="Run", exact=True).click()
    output = page.locator(f'.run-bar[data-run-block="{index}"] + .run-output')
    output.locator(".run-verdict, .run-failed").wait_for(timeout=RUN_TIMEOUT)
    return output.locator(".run-verdict > p, .run-failed").inner_text()


def lines(page, selector: str) -> list[str]:
    """The text of the code blocks (``pre``) under ``selector``, line by line, as shown."""
    texts = page.locator(selector).locator("pre").all_inner_texts()
    return [line.rstrip() for text in texts for line in text.rstrip("\n").split("\n")]


def shown_on_page(page, index: int) -> list[str]:
    """The block as the page shows it: its input, results and SQL panels."""
    return lines(page, f'xpath=//div[@data-run-block="{index}"]/preceding-sibling::*[1]')


def shown_by_run(page, index: int) -> list[str]:
    return lines(page, f'.run-bar[data-run-block="{index}"] + .run-output .pycon-session')


def open_chapter(watched, base_url: str, chapter: str, color_scheme: str = "light"):
    page = watched.new_page(color_scheme=color_scheme)
    page.goto(f"{base_url}{chapter}.html", wait_until="networkidle")
    return page


def test_a_block_with_sql_shows_what_the_page_shows_and_nothing_loads_before(watched, base_url):
    chapter = "core/joins"
    index = runnable(chapter, "sql")[0]
    page = open_chapter(watched, base_url, chapter)
    loaded = [r["name"] for r in page.evaluate("performance.getEntriesByType('resource')")]
    assert not [url for url in loaded if re.search(r"book-run|/pyodide/|/run/", url)]
    run_buttons = page.locator(".run-bar button")
    # real buttons, whose accessible names are their visible text
    assert run_buttons.count() == 3 * len(runnable(chapter))
    assert {b.inner_text() for b in run_buttons.all()} == {"Run", "Edit", "Reset"}

    assert run(page, index) == "Same as the verified output."
    assert shown_by_run(page, index) == shown_on_page(page, index)
    panels = page.locator(f'.run-bar[data-run-block="{index}"] + .run-output details.sql-panel')
    on_page = page.locator(f'xpath=//div[@data-run-block="{index}"]/preceding-sibling::*[1]')
    assert panels.count() == on_page.locator("details.sql-panel").count() >= 1
    # the panels collapse like the page's
    panels.first.locator("summary").click()
    assert panels.first.get_attribute("open") is None
    assert watched.external == [] and watched.errors == []


def test_a_block_that_raises_shows_the_error_as_the_page_does(watched, base_url):
    chapter = "orm/loading"
    index = runnable(chapter, "error")[0]
    page = open_chapter(watched, base_url, chapter)
    assert run(page, index) == "Same as the verified output."
    shown = shown_by_run(page, index)
    assert shown == shown_on_page(page, index)
    assert "Traceback (most recent call last):" in shown
    assert watched.external == [] and watched.errors == []


def test_an_edited_block_runs_the_readers_code_and_says_it_differs(watched, base_url):
    page, index, editor = edit_first_sql_block(watched, base_url, "core/expressions")
    before_bar = bar(page, index).locator("xpath=preceding-sibling::*[1]")
    assert before_bar.evaluate("e => e.tagName") == "TEXTAREA"  # in place of the block
    assert editor.get_attribute("aria-label")
    original = editor.input_value()
    editor.fill(original + '\nlen("invoice")')
    assert run(page, index) == "Differs from the verified output."
    shown = shown_by_run(page, index)
    # the reader's line, as typed at a prompt, and its result
    assert shown[-2:] == ['>>> len("invoice")', "7"]
    diff = page.locator(f'.run-bar[data-run-block="{index}"] + .run-output details.run-diff')
    diff.locator("summary").click()
    assert "+ 7" in diff.locator("pre").inner_text().split("\n")

    # Reset: the code as written, no output; running it again matches the page
    bar(page, index).get_by_role("button", name="Reset", exact=True).click()
    assert page.locator("textarea.run-editor").count() == 0
    assert page.locator(".run-output").count() == 0
    assert run(page, index) == "Same as the verified output."
    assert shown_by_run(page, index) == shown_on_page(page, index)
    assert watched.external == [] and watched.errors == []


def test_a_block_late_on_a_long_page_runs_after_the_blocks_before_it(watched, base_url):
    chapter = "reference/cheat-sheet"  # the page with the most blocks
    index = runnable(chapter)[-1]
    assert index > 60
    page = open_chapter(watched, base_url, chapter)
    # "or run it here", on the downloads line, jumps to the first block that runs and runs it
    first = runnable(chapter)[0]
    page.get_by_role("link", name="run it here").click()
    page.locator(f'.run-bar[data-run-block="{first}"] + .run-output .run-verdict').wait_for(
        timeout=RUN_TIMEOUT
    )
    assert run(page, index) == "Same as the verified output."
    assert shown_by_run(page, index) == shown_on_page(page, index)
    assert watched.external == [] and watched.errors == []


def test_a_block_that_cannot_run_says_why_and_has_no_control(watched, base_url):
    chapter = "orm/asyncio"
    blocks = program(chapter)["blocks"]
    not_runnable = [b for b in blocks if b["shown"] and not b["runnable"]]
    assert not_runnable
    page = open_chapter(watched, base_url, chapter)
    reasons = page.locator("p.run-reason")
    assert reasons.count() >= len(not_runnable)
    first = reasons.first
    assert first.inner_text() == f"Not runnable in the browser: {not_runnable[0]['reason']}"
    # the reason follows its block directly: no bar of buttons between them
    before = first.locator("xpath=preceding-sibling::*[1]")
    assert "run-bar" not in (before.get_attribute("class") or "")
    assert before.locator("pre").count() >= 1
    assert page.locator(f'.run-bar[data-run-block="{not_runnable[0]["index"]}"]').count() == 0


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_the_controls_and_output_are_accessible_and_fit_a_phone(watched, base_url, color_scheme):
    chapter = "orm/session"
    index = runnable(chapter, "sql")[0]
    page = watched.new_page(color_scheme=color_scheme)
    page.set_viewport_size(PHONE)
    page.goto(f"{base_url}{chapter}.html", wait_until="networkidle")
    # the keyboard: Tab to the Run button, Enter
    run_button = bar(page, index).get_by_role("button", name="Run", exact=True)
    run_button.focus()
    page.keyboard.press("Enter")
    output = page.locator(f'.run-bar[data-run-block="{index}"] + .run-output')
    output.locator(".run-verdict").wait_for(timeout=RUN_TIMEOUT)
    assert output.get_attribute("aria-live") == "polite"  # the status and result are announced
    # a block that differs, its difference shown, and a block being edited
    bar(page, index).get_by_role("button", name="Edit", exact=True).click()
    page.locator("textarea.run-editor").press_sequentially("\n1 + 1")
    page.locator("textarea.run-editor").press("Control+Enter")
    output.locator(".run-differs").wait_for(timeout=RUN_TIMEOUT)
    output.locator(".run-diff summary").click()
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
    ours = {"include": [[".run-bar"], [".run-output"], [".run-editor"], [".run-reason"]]}
    violations = AXE.run(page, ours, options=AXE_OPTIONS).response["violations"]
    assert _findings(violations, f"{page.url} (Run output, {color_scheme})") == []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow}px wider than a phone: {page.evaluate(_OVERFLOWING)}"
    assert watched.external == [] and watched.errors == []


def test_reset_during_a_run_stops_it_quietly_and_the_next_run_starts_afresh(watched, base_url):
    chapter = "orm/session"
    index = runnable(chapter, "sql")[0]
    page = open_chapter(watched, base_url, chapter)
    bar(page, index).get_by_role("button", name="Run", exact=True).click()
    # while Pyodide is still loading: the run is stopped with its worker, and nothing shows
    page.locator(f'.run-bar[data-run-block="{index}"] + .run-output .run-status').wait_for()
    bar(page, index).get_by_role("button", name="Reset", exact=True).click()
    page.wait_for_timeout(500)  # the stopped run's answer, had it shown anything, is in by now
    assert page.locator(".run-failed").count() == 0
    assert run(page, index) == "Same as the verified output."
    assert watched.external == [] and watched.errors == []


def test_endless_output_is_truncated_and_an_endless_loop_stops_with_reset(watched, base_url):
    page, index, editor = edit_first_sql_block(watched, base_url, "orm/session")
    # more output than a run keeps (booktools/runner/session.py): the first lines, then a note
    editor.fill("for i in range(100_000):\n    print(i)")
    assert run(page, index) == "Differs from the verified output."
    shown = shown_by_run(page, index)
    assert shown[:3] == [">>> for i in range(100_000):", "...     print(i)", "0"]
    assert shown[-1] == "4999"
    output = page.locator(f'.run-bar[data-run-block="{index}"] + .run-output')
    note = output.locator("p.run-truncated")
    assert note.inner_text().startswith("Output truncated: a run in the browser keeps at most")
    # a loop that never ends, printing nothing: the block's Reset stops it with the worker
    editor.fill("while True:\n    pass")
    run_button = bar(page, index).get_by_role("button", name="Run", exact=True)
    run_button.click()
    output.locator(".run-status").wait_for()
    page.wait_for_timeout(2000)  # it never ends: still running, however long one waits
    assert run_button.get_attribute("aria-disabled") == "true"
    bar(page, index).get_by_role("button", name="Reset", exact=True).click()
    assert run_button.get_attribute("aria-disabled") is None
    assert page.locator(".run-output, .run-failed").count() == 0
    assert run(page, index) == "Same as the verified output."  # a new Pyodide, the page's code
    assert watched.external == [] and watched.errors == []
