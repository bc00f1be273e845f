// The Node check of the book on Pyodide: `node booktools/runner/check.mjs DIR`.
//
// DIR holds what `python -m booktools.runner.check` wrote: manifest.json (the wheels, the
// runner bundle, the programs) and one program per page. The wheels are the site's, with
// Pyodide's bytecode (booktools.runner.wheels.bytecode_wheels); their paths are printed
// first and kept in result.json. Every block that runs in the
// browser runs, in page order, in one session per page, exactly as a reader's Run button
// runs it; a step whose output is not the page's fails with `page:line: output differs`
// and the harness's unified diff. Prints each page's count of runnable and not-runnable
// blocks, writes DIR/result.json (counts and versions), and exits 1 on any failure.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { loadPyodide } from "pyodide";
import { shortError, startSession } from "./pyodide-session.mjs";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node booktools/runner/check.mjs DIR (written by python -m booktools.runner.check)");
  process.exit(2);
}
const manifest = JSON.parse(await readFile(path.join(dir, "manifest.json"), "utf8"));
const started = performance.now();
const python = await startSession({
  loadPyodide,
  fetchBytes: (name) => readFile(name),
  wheelNames: manifest.wheels,
  bundleName: manifest.bundle,
});
const loaded = performance.now();
const wheels = manifest.wheels.map((name) => path.relative(process.cwd(), path.resolve(name)));
console.log(`Wheels: ${wheels.join(", ")}`);
console.log(
  `Pyodide ${python.pyodideVersion}: Python ${python.pythonVersion}, SQLite ` +
  `${python.sqliteVersion}, SQLAlchemy ${python.sqlalchemyVersion}, Node ${process.version} ` +
  `(loaded in ${((loaded - started) / 1000).toFixed(1)} s)`,
);

const counts = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
const pages = [];
for (const file of manifest.programs) {
  const program = JSON.parse(await readFile(path.join(dir, file), "utf8"));
  const page = python.open(program);
  const pageStart = performance.now();
  let runnable = 0;
  let failed = 0;
  for (const block of program.blocks) {
    if (!block.runnable) {
      counts.skipped += block.steps.length;
      continue;
    }
    runnable += 1;
    let result;
    try {
      result = page.run(block.index);
    } catch (error) {
      failures.push(`docs/${program.page}:${block.line}: the session failed: ${shortError(error)}`);
      counts.failed += block.steps.length;
      failed += 1;
      continue;
    }
    for (const step of result.steps) {
      if (step.matches) {
        counts.passed += 1;
      } else {
        counts.failed += 1;
        failures.push(step.diff);
      }
    }
    if (result.truncated) {
      // more output than a run keeps: whatever matched, the block is not what the page shows
      failures.push(`docs/${program.page}:${block.line}: ${result.truncated}`);
      counts.failed += 1;
    }
    if (!result.verified) failed += 1;
  }
  page.close();
  const seconds = (performance.now() - pageStart) / 1000;
  const notRunnable = program.blocks.length - runnable;
  pages.push({ page: program.page, runnable, not_runnable: notRunnable, failed, seconds });
  console.log(
    `${program.page}: ${runnable} blocks run, ${notRunnable} not runnable in the browser` +
    `${failed ? `, ${failed} FAILED` : ""} (${seconds.toFixed(1)} s)`,
  );
}

const total = (performance.now() - started) / 1000;
for (const failure of failures) console.log(`\n${failure}`);
const runnable = pages.reduce((sum, p) => sum + p.runnable, 0);
const notRunnable = pages.reduce((sum, p) => sum + p.not_runnable, 0);
console.log(
  `\n${pages.length} pages: ${runnable} blocks run, ${notRunnable} not runnable; ` +
  `${counts.passed} steps passed, ${counts.failed} failed, ${counts.skipped} not run ` +
  `(${total.toFixed(1)} s in all)`,
);
await writeFile(path.join(dir, "result.json"), JSON.stringify({
  ...counts,
  python: python.pythonVersion,
  sqlite: python.sqliteVersion,
  sqlalchemy: python.sqlalchemyVersion,
  pyodide: python.pyodideVersion,
  node: process.version,
  wheels,
  seconds: total,
  pages,
}, null, 1) + "\n");
process.exit(counts.failed ? 1 : 0);
