/* The page's Python session, in a module worker so that the page stays responsive while
   Pyodide loads and the examples run (issue 25; booktools/sphinxext/run_buttons.py).

   Started by book-run.js as `book-run-worker.js?program=<URL of the page's program>`.
   Everything it loads comes from the site's own _static/pyodide/, copied in by the build:
   Pyodide, the SQLAlchemy and typing-extensions wheels, the runner bundle (the harness's
   capture and comparison), and pyodide-session.mjs, which the Node check uses too.

   Messages in:  {type: "run", id, block, source}   source: the edited code, or null
                 {type: "reset"}
   Messages out: {type: "status", text}
                 {type: "result", id, steps, verified, truncated, elapsed_ms}
                 {type: "error", id, message}
*/
const here = new URL(self.location.href);
const indexURL = new URL("pyodide/", here).href;
const programURL = new URL(here.searchParams.get("program"), here).href;
// The runtime's digest (run_buttons.runtime_version): on the URLs of the files that change
// with the book's builds, so that no cached copy from an older build is mixed in.
const version = "?v=" + (here.searchParams.get("v") || "");

let page = null; // a promise of the page's session handle, made on the first message

function status(text) {
  postMessage({ type: "status", text });
}

async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

// Each file fetched once; the wheels and the bundle are asked for as soon as their names are
// known, so that they download while Pyodide starts.
const fetched = new Map();
function fetchBytes(name) {
  if (!fetched.has(name)) {
    // a Uint8Array: Pyodide's unpackArchive() wants one
    const bytes = fetchOk(new URL(name + version, indexURL)).then(async (r) => new Uint8Array(await r.arrayBuffer()));
    bytes.catch(() => fetched.delete(name)); // a failed download is tried again next time
    fetched.set(name, bytes);
  }
  return fetched.get(name);
}

async function openPage() {
  status("Loading Python (first run only)…");
  // Imported here, not at the top with await: a module worker that awaits before its
  // message handler is set loses the messages sent meanwhile (the first Run).
  const [{ loadPyodide }, { startSession }, manifest, program] = await Promise.all([
    import(indexURL + "pyodide.mjs"),
    import(indexURL + "pyodide-session.mjs" + version),
    fetchOk(indexURL + "session.json" + version).then((r) => r.json()),
    fetchOk(programURL).then((r) => r.json()),
  ]);
  for (const name of [...manifest.wheels, manifest.bundle]) fetchBytes(name).catch(() => {});
  const session = await startSession({
    loadPyodide,
    fetchBytes,
    wheelNames: manifest.wheels,
    bundleName: manifest.bundle,
    indexURL,
  });
  status("Running…");
  return session.open(program);
}

// A Python error reaching here is the harness's, not the reader's (the session captures
// those): its message can be a whole traceback, or worse; keep its last few lines.
function short(error) {
  const text = String((error && error.message) || error).trim();
  return text.split("\n").slice(-4).join("\n").slice(0, 600);
}

async function handle(message) {
  try {
    page ??= openPage();
    const session = await page;
    if (message.type === "reset") {
      await session.reset();
      return;
    }
    const result = await session.run(message.block, message.source ?? null);
    postMessage({ ...result, type: "result", id: message.id });
  } catch (error) {
    if (!(await page.then(() => true, () => false))) page = null; // retry the load next time
    postMessage({ type: "error", id: message.id, message: short(error) });
  }
}

// One message at a time, in the order they came: a Run clicked during another waits for it.
let queue = Promise.resolve();
self.onmessage = ({ data }) => {
  queue = queue.then(() => handle(data));
};
