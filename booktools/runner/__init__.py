"""Running a page's examples outside the test suite, on Pyodide: in the reader's browser (a
Web Worker) and under Node (``nox -s pyodide``), with the harness's own capture and
comparison. See :mod:`.wheels` for the pure-Python wheels that Pyodide installs."""
