// Removes from one stylesheet the rules that no page can use, with PurgeCSS (package.json
// pins it). booktools/sphinxext/theme.py runs this at the end of each build and documents the
// job it sends on stdin, as JSON:
//   {"css": "...", "content": [{"path": "...", "extension": "html" | "js"}, ...],
//    "safelist": {...}, "blocklist": ["regular expression", ...]}
// and reads the purged stylesheet from stdout. HTML is given as markup only: the text between
// tags names no selector, and a chapter's prose ("show", "table", "active"...) would keep
// rules alive for nothing. Scripts are given whole: the classes they add at run time are
// string literals in them.
"use strict";
const fs = require("fs");
// The CommonJS build: the ES module build of PurgeCSS 8.0.0 fails on a glob API change.
const { PurgeCSS } = require("purgecss");

function markup(html) {
  return html
    .split(/(<script[\s\S]*?<\/script>)/)
    .map((part, i) => (i % 2 ? part : part.replace(/>[^<]+</g, "><")))
    .join("");
}

async function main() {
  const job = JSON.parse(fs.readFileSync(0, "utf8"));
  const content = job.content.map(({ path, extension }) => {
    const text = fs.readFileSync(path, "utf8");
    return { raw: extension === "html" ? markup(text) : text, extension };
  });
  const [result] = await new PurgeCSS().purge({
    css: [{ raw: job.css }],
    content,
    safelist: job.safelist,
    blocklist: (job.blocklist || []).map((pattern) => new RegExp(pattern)),
    variables: true, // custom properties that no kept rule reads
    keyframes: true,
    fontFace: true,
  });
  process.stdout.write(result.css);
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
