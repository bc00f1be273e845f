"""The benchmark: what the book costs to build and verify here, against its budgets.

``python -m booktools.bench`` (``nox -s bench``) runs :func:`.measure.main`; see
bench/README.md for how to read its report.
"""
