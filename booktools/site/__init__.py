"""The built site served as published (from a sub-path, as GitHub Pages serves it), and its
first-load weight: ``python -m booktools.site [DIR] [--port N]``. See :mod:`.server`."""
