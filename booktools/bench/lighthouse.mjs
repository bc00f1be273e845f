// Lighthouse on each page of the served book, in one headless Chrome: see bench/README.md.
//
//   node booktools/bench/lighthouse.mjs < request.json > results.jsonl
//
// The request: {"chromePath": ..., "chromeFlags": [...], "urls": [...], "categories": [...]}.
// Lighthouse runs with its defaults, the mobile preset: a phone's screen, simulated
// throttling (a slow 4G network and a 4x slower CPU, computed from one unthrottled load).
// Pages run one after another (Lighthouse measures one page at a time per Chrome: two at
// once would share the CPU and skew each other's timings). One JSON line per page, in the
// order of the request: the category scores, the audits that lost points, and the
// performance metrics; or, for a page whose run threw, `error` (the exception's message),
// and the run goes on with the next page. The exit status is 1 when a page failed so.
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString("utf8"));

// An audit loses points when it has a score below 1 (informative, manual and
// not-applicable audits have none).
const lost = (audit) => audit.score !== null && audit.score < 1;

function summary(lhr) {
  const result = {
    url: lhr.finalDisplayedUrl,
    error: null,
    runtimeError: lhr.runtimeError ? lhr.runtimeError.message : null,
    warnings: lhr.runWarnings,
    scores: {},
    failing: {},
    metrics: {},
    diagnostics: [],
  };
  for (const [id, category] of Object.entries(lhr.categories)) {
    result.scores[id] = category.score === null ? null : Math.round(category.score * 100);
    result.failing[id] = category.auditRefs
      .filter((ref) => id !== "performance" || ref.weight > 0)
      .map((ref) => lhr.audits[ref.id])
      .filter(lost)
      .map((audit) => ({
        id: audit.id,
        title: audit.title,
        score: audit.score,
        value: audit.displayValue || "",
      }));
  }
  for (const id of ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
                    "cumulative-layout-shift", "speed-index"]) {
    const audit = lhr.audits[id];
    if (audit) result.metrics[id] = { value: audit.numericValue, score: audit.score, shown: audit.displayValue };
  }
  // What the performance score's metrics point to: the opportunities and diagnostics
  // that lost points (they weigh nothing themselves).
  if (lhr.categories.performance) {
    result.diagnostics = lhr.categories.performance.auditRefs
      .filter((ref) => ref.weight === 0)
      .map((ref) => lhr.audits[ref.id])
      .filter((audit) => lost(audit) && audit.scoreDisplayMode !== "informative")
      .map((audit) => ({ id: audit.id, title: audit.title, value: audit.displayValue || "" }));
  }
  return result;
}

/**
 * The line of a page whose run threw: the same fields, with the error's message and nothing
 * measured; its stack goes to stderr.
 */
function failed(url, error) {
  console.error(`${url}: ${(error && error.stack) || error}`);
  return {
    url,
    error: (error && error.message) || String(error),
    runtimeError: null,
    warnings: [],
    scores: {},
    failing: {},
    metrics: {},
    diagnostics: [],
  };
}

const chrome = await chromeLauncher.launch({
  chromePath: request.chromePath,
  chromeFlags: ["--headless=new", ...request.chromeFlags],
  logLevel: "silent",
});
try {
  for (const url of request.urls) {
    const started = Date.now();
    const flags = {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      // Two costly steps that weigh in no score: a screenshot of the whole page (the
      // report's picture of it), and bf-cache, which leaves the page and comes back to
      // see whether the back/forward cache kept it.
      disableFullPageScreenshot: true,
      skipAudits: ["bf-cache"],
    };
    if (request.categories) flags.onlyCategories = request.categories;
    let line;
    try {
      const runner = await lighthouse(url, flags);
      if (!runner) throw new Error("Lighthouse returned no result");
      line = summary(runner.lhr);
    } catch (error) {
      line = failed(url, error);
      process.exitCode = 1;
    }
    line.seconds = (Date.now() - started) / 1000;
    process.stdout.write(JSON.stringify(line) + "\n");
  }
} finally {
  await chrome.kill();
}
