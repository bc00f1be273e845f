// A page's Python session on Pyodide, shared by the browser's worker (book-run-worker.js)
// and the Node check (check.mjs). It loads Pyodide, installs the pure-Python wheels
// (SQLAlchemy, typing-extensions) and the runner bundle (booktools.runner.bundle), and
// drives booktools.runner.session.PageSession, whose results come back as plain objects
// (see PageSession.run; a step has a "diff", the failure report, when it does not match).
//
//   const python = await startSession({loadPyodide, fetchBytes, wheelNames, bundleName, indexURL});
//   const page = python.open(program);          // a program of booktools.runner.program
//   const result = page.run(3);                 // {steps, verified, truncated, elapsed_ms}
//   page.run(3, "print('edited')");             // the reader's code
//   page.reset();

// Where the bundle is unpacked; it goes on sys.path.
const BUNDLE_DIR = "/home/pyodide/book-runner";
// Python's recursion limit in Pyodide. At its default (1000), endless recursion overflows
// the JavaScript stack before Python raises RecursionError, and Pyodide dies for good (at
// 300 too, under Node 20); at 200 it raises, and every runnable block of the book passes.
const RECURSION_LIMIT = 200;

// fetchBytes(name) returns the file's bytes (ArrayBuffer or Uint8Array); wheelNames are the
// wheels' file names (Pyodide reads the package name and version from them).
export async function startSession({ loadPyodide, fetchBytes, wheelNames, bundleName, indexURL }) {
  const pyodide = await loadPyodide({ indexURL });
  const bytes = async (name) => new Uint8Array(await fetchBytes(name)); // never a Node Buffer
  const files = await Promise.all([...wheelNames, bundleName].map(bytes));
  wheelNames.forEach((name, i) => pyodide.unpackArchive(files[i], "wheel"));
  pyodide.unpackArchive(files[wheelNames.length], "zip", { extractDir: BUNDLE_DIR });
  pyodide.runPython(
    `import sys\nsys.path.insert(0, ${JSON.stringify(BUNDLE_DIR)})\n` +
    `sys.setrecursionlimit(${RECURSION_LIMIT})`,
  );
  const session = pyodide.pyimport("booktools.runner.session");
  const versions = JSON.parse(pyodide.runPython(
    "import json, sys, sqlite3, sqlalchemy\n" +
    "json.dumps([sys.version.split()[0], sqlite3.sqlite_version, sqlalchemy.__version__])",
  ));

  // A result as a plain object, through JSON: Python's None stays null (toJs would make it
  // undefined, and "matches": null means "not compared"); the proxy is freed.
  const plain = (proxy) => {
    try {
      return JSON.parse(session.result_json(proxy));
    } finally {
      proxy.destroy();
    }
  };

  return {
    pyodide,
    pythonVersion: versions[0],
    sqliteVersion: versions[1],
    sqlalchemyVersion: versions[2],
    pyodideVersion: pyodide.version,
    open(program) {
      const page = session.open_program(JSON.stringify(program));
      return {
        // JavaScript's null is not Python's None in Pyodide (undefined is): no source, no argument
        run: (blockIndex, source) =>
          plain(source == null ? page.run(blockIndex) : page.run(blockIndex, source)),
        reset: () => page.reset(),
        close: () => { page.reset(); page.destroy(); },
      };
    },
  };
}

// A Python error as a short message: a raw Pyodide error's text can be enormous.
export function shortError(error, lines = 6) {
  const text = String(error && error.message ? error.message : error);
  const kept = text.split("\n").slice(-lines).join("\n");
  return kept.length > 2000 ? kept.slice(-2000) : kept;
}
