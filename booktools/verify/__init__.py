"""Verification: every ``python`` and ``pycon`` block of the book runs in the tests.

* :mod:`.collect`: the Sybil parser that yields the page model's blocks as regions, and
  the evaluators that run them (``conftest.py`` uses :func:`.collect.book_sybil`);
* :mod:`.capture`: what a step does (printed output, warnings, SQL, an exception), in order;
* :mod:`.compare`: that record against the page, and the failure report (page, line, diff);
* :mod:`.updates`: ``--update-examples``, the page rewrites held by the pytest session;
* :mod:`.backend`: the run's backend and series, and pointing pages at a PostgreSQL server;
* :mod:`.plugin`: the pytest plugin (options, updates, the verification record);
* :mod:`.postgres`: a throwaway PostgreSQL server (``python -m booktools.verify.postgres``).
"""
