"""Complete programs for the scenarios of SQLAlchemy by Example.

Run each one from the repository root with ``python -m examples.NAME``; add ``--url URL``
(or set ``DATABASE_URL``) to use another database, and ``--echo`` to see the SQL.
The book's "Examples gallery" page shows each program with the output it prints.
"""
