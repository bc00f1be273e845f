// Pure-Python wheels with their bytecode for Pyodide's Python, so that the reader's browser
// does not compile SQLAlchemy's source on the first Run (measured under Node: importing
// sqlalchemy.orm from source took 5.4 s, from this bytecode 0.8 s).
//
//   node booktools/runner/pyodide-bytecode.mjs IN.whl OUT.whl [IN.whl OUT.whl ...]
//
// OUT is IN plus, next to each module, __pycache__/<module>.cpython-3XX.pyc compiled by
// Pyodide's own Python. The .pyc files are "unchecked hash" ones (PEP 552): Python uses them
// without comparing them with the source's modification time, which unpacking does not keep.
// Run by booktools.runner.wheels.bytecode_wheels(), once per wheel and Pyodide version, for
// the build (booktools/sphinxext/run_buttons.py) and the Node check (booktools.runner.check)
// alike, so that the check runs the wheels that readers' browsers load.
import { readFileSync, writeFileSync } from "node:fs";
import { loadPyodide } from "../../node_modules/pyodide/pyodide.mjs";

// Only the modules that a page's first run imports get bytecode (what SQLite, the ORM and
// the common extensions need): the dialects of other databases and the rest stay source
// only, so that the wheel grows by a fraction of its size (the bytecode is bigger than the
// source: its docstrings included).
const COMPILE = `
import importlib.util, posixpath, sys, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

wheels = [f"/tmp/in-{i}.whl" for i in range(COUNT)]
for wheel in wheels:
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall("/tmp/wheels")
sys.path.insert(0, "/tmp/wheels")
before = set(sys.modules)
import sqlalchemy, sqlalchemy.orm, sqlalchemy.ext.hybrid, sqlalchemy.ext.associationproxy
sqlalchemy.create_engine("sqlite://").connect().close()
used = {
    posixpath.relpath(module.__file__, "/tmp/wheels")
    for name, module in list(sys.modules.items())
    if name not in before and (getattr(module, "__file__", None) or "").startswith("/tmp/wheels/")
}

for i, wheel in enumerate(wheels):
    with zipfile.ZipFile(wheel) as archive, zipfile.ZipFile(f"/tmp/out-{i}.whl", "w") as out:
        for info in archive.infolist():
            data = archive.read(info)
            out.writestr(info, data)
            if info.filename in used:
                code = compile(data, info.filename, "exec", dont_inherit=True)
                pyc = _code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
                folder, name = posixpath.split(info.filename)
                cached = posixpath.join(
                    folder, "__pycache__", f"{name[:-3]}.{sys.implementation.cache_tag}.pyc"
                )
                out.writestr(cached, pyc, compress_type=zipfile.ZIP_DEFLATED)
`;

const paths = process.argv.slice(2);
if (paths.length === 0 || paths.length % 2) {
  console.error("usage: node pyodide-bytecode.mjs IN.whl OUT.whl [IN.whl OUT.whl ...]");
  process.exit(2);
}
const count = paths.length / 2;
try {
  // -X no_debug_ranges: no column positions in the bytecode (a third of its size), which only
  // the carets under a traceback's lines use
  const pyodide = await loadPyodide({ args: ["-X", "no_debug_ranges"] });
  for (let i = 0; i < count; i++) {
    pyodide.FS.writeFile(`/tmp/in-${i}.whl`, new Uint8Array(readFileSync(paths[2 * i])));
  }
  pyodide.runPython(COMPILE.replace("COUNT", String(count)));
  for (let i = 0; i < count; i++) writeFileSync(paths[2 * i + 1], pyodide.FS.readFile(`/tmp/out-${i}.whl`));
} catch (error) {
  // a Pyodide error's text can be the whole of its 1 MB runtime: its last lines only
  console.error(String(error && error.message ? error.message : error).split("\n").slice(-6).join("\n"));
  process.exit(1);
}
