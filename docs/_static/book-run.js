/* Run, Edit and Reset under the page's examples: the main thread's side (issue 25).

   The buttons are in the page's HTML (booktools/sphinxext/run_buttons.py); a few lines of
   inline script in the layout load this file on the first click on one of them, and click
   it again once this file has run. The Python runs in a module worker, book-run-worker.js:
   one session per page, in which running a block first runs the blocks before it.

   Each bar of buttons, <div class="run-bar" data-run-block="N">, follows its block. Its
   output goes into a region after it, in the book's own look: the input with its prompts,
   results and errors in pycon blocks, the SQL in the same collapsible panels as the page
   (booktools/sphinxext/sql_panels.py), then whether it matches the verified output.
*/
(() => {
  "use strict";
  const script = document.currentScript;
  const programURL = new URL(script.dataset.program, location.href).href;
  const staticURL = new URL(".", script.src).href;
  const version = new URL(script.src).searchParams.get("v") || ""; // the runtime's digest

  let worker = null;
  let program = null; // a promise of the page's program: the sources and verified outputs
  const waiting = new Map(); // message id -> {bar, resolve}
  let lastId = 0;

  // Only what happens after a Run needs these styles (the buttons' are in book.css).
  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = staticURL + "book-run.css?v=" + version;
  document.head.append(style);

  function getProgram() {
    program ??= fetch(programURL).then((r) => {
      if (!r.ok) throw new Error(`the page's verified output could not be loaded (HTTP ${r.status})`);
      return r.json();
    });
    program.catch(() => { program = null; }); // a later click tries again
    return program;
  }

  function startWorker() {
    worker = new Worker(
      staticURL + "book-run-worker.js?v=" + version + "&program=" + encodeURIComponent(programURL),
      { type: "module" },
    );
    worker.onmessage = ({ data }) => {
      if (data.type === "status") {
        for (const { bar } of waiting.values()) setStatus(bar, data.text);
        return;
      }
      const job = waiting.get(data.id);
      waiting.delete(data.id);
      if (job) job.resolve(data);
    };
    worker.onerror = (event) => {
      // The worker itself failed to start or load (not a Python error).
      for (const [id, job] of waiting) {
        waiting.delete(id);
        job.resolve({ type: "error", message: event.message || "the worker could not start" });
      }
      worker = null;
    };
  }

  function post(message, bar) {
    if (!worker) startWorker();
    const id = ++lastId;
    return new Promise((resolve) => {
      waiting.set(id, { bar, resolve });
      worker.postMessage({ ...message, id });
    });
  }

  // --- The output region --------------------------------------------------------------

  function outputOf(bar) {
    let region = bar.nextElementSibling;
    if (!region || !region.classList.contains("run-output")) {
      region = document.createElement("div");
      region.className = "run-output";
      region.setAttribute("aria-live", "polite"); // screen readers hear the status and result
      region.setAttribute("aria-label", "Output of this example, run in your browser");
      bar.after(region);
    }
    return region;
  }

  function setStatus(bar, text) {
    const region = outputOf(bar);
    region.replaceChildren(element("p", "run-status", text));
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A block as Sphinx writes one, <div class="highlight-LANG"><div class="highlight"><pre>,
  // from lines that are each a list of [class, text] spans (Pygments' classes: gp, the
  // prompt; go, output; gt, a traceback), so that the theme colours them as on the page.
  function codeBlock(language, lines, extraClass = "") {
    const outer = element("div", `highlight-${language} notranslate ${extraClass}`.trim());
    const inner = element("div", "highlight");
    const pre = element("pre");
    for (const spans of lines) {
      for (const [className, text] of spans) pre.append(className ? element("span", className, text) : text);
      pre.append("\n");
    }
    inner.append(pre);
    outer.append(inner);
    return outer;
  }

  function sqlPanel(lines) {
    const panel = element("details", "sql-panel");
    panel.open = true;
    const summary = element("summary");
    summary.append(element("span", "sql-panel-label", "SQL emitted"));
    panel.append(summary, codeBlock("sql-echo", lines.map((l) => [["", l]]), "sql-echo"));
    return panel;
  }

  const PROMPT = /^(>>>|\.\.\.)( |$)/;

  // The lines a step typed, with the prompts the page shows (added if the session has none).
  function inputLines(input) {
    return input.map((line, i) => {
      const prompt = (line.match(PROMPT) || [""])[0];
      return [["gp", prompt || (i === 0 ? ">>> " : "... ")], ["", line.slice(prompt.length)]];
    });
  }

  // The page's way of writing an error: the traceback's header, "...", then the error.
  function outputText(kind, lines) {
    if (kind === "error" && lines[0] && lines[0].startsWith("Traceback") && lines[1] !== "...") {
      return [lines[0], "...", ...lines.slice(1)];
    }
    return lines;
  }

  // The steps' input, output and SQL as one session, split as sql_panels.py splits a pycon
  // block: pycon chunks, with each SQL section in a panel between them.
  function session(result, showInput) {
    const box = element("div", "pycon-session");
    let chunk = null; // {lines, input}: the pycon chunk being filled
    const flush = () => {
      // output-only chunks are drawn apart (a dashed top border), as on the page
      if (chunk) box.append(codeBlock("pycon", chunk.lines, chunk.input ? "" : "output-only"));
      chunk = null;
    };
    for (const step of result.steps) {
      if (showInput) {
        chunk ??= { lines: [], input: false };
        chunk.input = true;
        chunk.lines.push(...inputLines(step.input));
      }
      for (const [kind, lines] of step.segments) {
        if (kind === "sql") {
          flush();
          box.append(sqlPanel(lines));
        } else {
          chunk ??= { lines: [], input: false };
          const className = kind === "error" ? "gt" : "go";
          chunk.lines.push(...outputText(kind, lines).map((l) => [[className, l]]));
        }
      }
    }
    flush();
    return box;
  }

  // --- Comparing with the verified output ---------------------------------------------

  // SQLAlchemy's echo says how long compiling took; the page writes "[..." for it
  // (booktools/pages/pycon.py, normalize_sql_line).
  const TIMING = /^\[(?:generated in|cached since|no key|caching disabled(?: \([^)]*\))?|dialect \S+ does not support caching) [-+.\deE]+s(?: ago)?(?:\s*(?=\]))?/;

  // The output of some steps as the page writes it: {sql} ... {/sql} around the SQL.
  function pageLines(segmentLists) {
    const lines = [];
    for (const segments of segmentLists) {
      for (const [kind, seg] of segments || []) {
        if (kind === "sql") lines.push("{sql}", ...seg.map((l) => l.replace(TIMING, "[...")), "{/sql}");
        else lines.push(...outputText(kind, seg));
      }
    }
    return lines;
  }

  // A line diff (longest common subsequence): "  " same, "- " verified only, "+ " this run only.
  function diff(a, b) {
    const n = a.length, m = b.length;
    const common = Array.from({ length: n + 1 }, () => new Array(m + 1).fill(0));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        common[i][j] = a[i] === b[j] ? common[i + 1][j + 1] + 1
          : Math.max(common[i + 1][j], common[i][j + 1]);
      }
    }
    const out = [];
    let i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i] === b[j]) { out.push("  " + a[i]); i++; j++; }
      else if (j < m && (i === n || common[i][j + 1] >= common[i + 1][j])) out.push("+ " + b[j++]);
      else out.push("- " + a[i++]);
    }
    return out.join("\n");
  }

  function verdict(result, block) {
    const box = element("div", "run-verdict");
    if (result.verified) {
      box.classList.add("run-same");
      box.append(element("p", "", "Same as the verified output."));
      return box;
    }
    box.classList.add("run-differs");
    box.append(element("p", "", "Differs from the verified output."));
    const details = element("details", "run-diff");
    details.append(
      element("summary", "", "Show the difference"),
      element("pre", "", "--- the verified output (the page)\n+++ this run\n"
        + diff(pageLines(block.steps.map((s) => s.expected)), pageLines(result.steps.map((s) => s.segments)))),
    );
    box.append(details);
    return box;
  }

  // --- The buttons ---------------------------------------------------------------------

  function editorOf(bar) {
    const code = bar.previousElementSibling;
    return code && code.matches("textarea.run-editor") ? code : null;
  }

  async function run(bar) {
    const index = Number(bar.dataset.runBlock);
    const button = bar.querySelector('[data-run="run"]');
    const editor = editorOf(bar);
    const source = editor ? editor.value : null;
    if (button.getAttribute("aria-disabled") === "true") return; // already running
    button.setAttribute("aria-disabled", "true");
    setStatus(bar, worker ? "Running…" : "Loading Python (first run only)…");
    const [result, page] = await Promise.all([
      post({ type: "run", block: index, source }, bar),
      getProgram().catch(() => null),
    ]);
    button.removeAttribute("aria-disabled");
    if (result.type === "stopped") return; // its own Reset stopped it: nothing to show
    const region = outputOf(bar);
    if (result.type === "error") {
      region.replaceChildren(element("p", "run-failed", "Could not run this example: " + result.message));
      // Pyodide itself failed (out of memory, say): the next Run starts a new one
      if (/fatal/i.test(result.message) && worker) {
        worker.terminate();
        worker = null;
      }
      return;
    }
    const block = page && page.blocks.find((b) => b.index === index);
    const showInput = !!editor || !block || block.language === "pycon";
    const children = [];
    if (result.steps.some((s) => s.segments.length) || showInput) children.push(session(result, showInput));
    else children.push(element("p", "run-status", "Ran, printing nothing."));
    // more output than a run keeps (booktools/runner/session.py, OUTPUT_LINES): say so
    if (result.truncated) children.push(element("p", "run-truncated", result.truncated));
    if (block) children.push(verdict(result, block));
    region.replaceChildren(...children);
    // as the theme does for the page's blocks: one that scrolls sideways can be scrolled
    // from the keyboard
    for (const pre of region.querySelectorAll("pre")) {
      if (pre.scrollWidth > pre.clientWidth || pre.closest(".run-diff")) pre.tabIndex = 0;
    }
  }

  async function edit(bar) {
    let editor = editorOf(bar);
    if (!editor) {
      const page = await getProgram();
      if (editorOf(bar)) return; // a second click opened it while the program was loading
      const block = page.blocks.find((b) => b.index === Number(bar.dataset.runBlock));
      const code = bar.previousElementSibling;
      editor = element("textarea", "run-editor");
      editor.value = block.steps.map((s) => s.source.replace(/\n$/, "")).join("\n");
      editor.rows = Math.min(30, editor.value.split("\n").length + 1);
      editor.spellcheck = false;
      editor.setAttribute("autocapitalize", "off");
      editor.setAttribute("aria-label", "Code of this example (Ctrl+Enter runs it)");
      code.hidden = true;
      code.after(editor);
      editor.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          run(bar);
        }
      });
    }
    editor.focus();
  }

  // Reset: the block's code as written, no output, and a fresh session for the page (the
  // next Run replays the blocks before it). A run that never ends is stopped with the worker.
  function reset(bar) {
    const editor = editorOf(bar);
    if (editor) {
      editor.previousElementSibling.hidden = false;
      editor.remove();
    }
    const region = bar.nextElementSibling;
    if (region && region.classList.contains("run-output")) region.remove();
    if (!worker) return;
    // Only a run of this block is stopped with the worker (one that never ends, say);
    // otherwise the reset waits its turn behind the runs of other blocks.
    if ([...waiting.values()].some((job) => job.bar === bar)) {
      worker.terminate();
      worker = null;
      for (const [id, job] of waiting) {
        waiting.delete(id);
        job.resolve(job.bar === bar
          ? { type: "stopped" }
          : { type: "error", message: "stopped by the Reset of another example; run it again." });
      }
      for (const button of document.querySelectorAll('.run-bar [aria-disabled="true"]')) {
        button.removeAttribute("aria-disabled");
      }
    } else {
      worker.postMessage({ type: "reset" });
    }
  }

  const ACTIONS = { run, edit, reset };

  document.addEventListener("click", (event) => {
    const target = event.target.closest && event.target.closest(".run-bar button, a[data-run-first]");
    if (!target) return;
    if (target.matches("a[data-run-first]")) {
      // "or run it here": the link jumps to the first runnable block; run it too
      const bar = document.getElementById(target.hash.slice(1));
      if (bar) run(bar);
      return;
    }
    ACTIONS[target.dataset.run](target.closest(".run-bar"));
  });
})();
