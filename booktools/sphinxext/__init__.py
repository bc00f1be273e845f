"""The book's Sphinx extensions, each listed in ``docs/conf.py``:

* :mod:`.sql_panels`: ``pycon`` blocks shown with collapsible SQL panels;
* :mod:`.verified_with`: ``{verified-with}`` and the footer, from the verification records;
* :mod:`.pages`: every page read by the page model, its errors failing the build;
* :mod:`.highlighting`: one Pygments formatter per set of options (a faster build);
* :mod:`.api_links`: inline code linked to SQLAlchemy's API docs, the checked ``{sqla}`` role;
* :mod:`.inventory`: that API docs' inventory, made from SQLAlchemy's sdist
  (``python -m booktools.sphinxext.inventory``);
* :mod:`.theme`: the trimmed theme (icons without FontAwesome, assets where used);
* :mod:`.downloads`: each page with code as a notebook and a script;
* :mod:`.search`: the search index (Pagefind), one record per section;
* :mod:`.run_buttons`: Run, Edit and Reset under each block that runs in the browser
  (Pyodide, copied into the site).

None imports pytest, Sybil or the test harness (``tests/test_layout.py`` checks).
"""
