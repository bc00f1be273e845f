"""Test machinery and Sphinx extension of SQLAlchemy by Example."""
