"""The shop's schema under Alembic: models, environment and revisions (chapter 27).

From the repository's root, with the database URL in ``alembic.ini`` or given with ``-x``:

    alembic -c examples/shop_migrations/alembic.ini upgrade head
    alembic -c examples/shop_migrations/alembic.ini -x url=postgresql+psycopg://... upgrade head
"""
