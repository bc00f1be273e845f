/*
 * The book's search: results as the reader types, in the theme's search dialog (the search
 * button, Ctrl+K) and on search.html. The index is Pagefind's, built from the finished HTML
 * by booktools/sphinxext/search.py; its script and index chunks are fetched from this site
 * once the reader types. This script itself is loaded by a few lines in the page's layout
 * (docs/_templates/layout.html) when the reader first puts the cursor in a search field.
 *
 * Pagefind returns the pages that contain *every* word of a query. Readers also paste whole
 * error messages, whose table names and values no page contains, so the query is first
 * cleaned of what cannot match (links, object addresses, file lines of a traceback, SQL), and
 * when the pages with every word are few, pages with the most words follow them.
 */
(() => {
  "use strict";
  const siteRoot = new URL("..", document.currentScript.src); // this file is _static/*.js
  const MAX_PAGES = 8; // results shown: pages, each with its best sections
  const MAX_SECTIONS = 3;
  const SECTIONS_READ = 20; // the best sections whose excerpts are fetched, to group by page
  // Words that a pasted message shares with most pages: they would only add noise.
  const STOP_WORDS = new Set(
    ("a an and are as at be been but by for from has have in is it its not of on or that " +
      "the this to was were which with you your error exception sqlalchemy sqlalchemy.exc " +
      "original true false none").split(" "),
  );
  let pagefind = null;

  /** The Pagefind module, imported on first use. */
  async function engine() {
    if (!pagefind) {
      pagefind = import(new URL("_pagefind/pagefind.js", siteRoot).href).then(async (module) => {
        await module.options({
          excerptLength: 24,
          // Exact words before words that merely start with them: "select" before
          // "selectinload" (Pagefind's default is 1).
          ranking: { termSimilarity: 2 },
        });
        return module;
      });
    }
    return pagefind;
  }

  /**
   * What to search for in what the reader typed or pasted: the words that can match, and
   * SQLAlchemy's error code when the text has its "Background on this error" link.
   */
  function readerQuery(text) {
    const code = (text.match(/sqlalche\.me\/e\/\d+\/([a-z0-9]{4})\b/i) || [])[1];
    const cleaned = text
      .replace(/^\s*Traceback \(most recent call last\):.*$/gm, " ")
      .replace(/^\s*File ".*$/gm, " ")
      .replace(/\[(?:SQL|parameters): [\s\S]*?\](?=\s|$)/g, " ")
      .replace(/\(Background on this error at:[^)]*\)/g, " ")
      .replace(/\b\w+:\/\/\S+/g, " ")
      .replace(/<([\w.]+) (?:object )?at 0x[0-9a-f]+>/gi, " $1 ")
      .replace(/\b0x[0-9a-f]+\b/gi, " ")
      // Values, names of the reader's own tables and columns: no page has them.
      .replace(/'[^'\n]{0,80}'|"[^"\n]{0,80}"/g, " ")
      .replace(/\b\w+\.c\.\w+/g, " ")
      // sqlalchemy.exc.PendingRollbackError: the class is what pages name
      .replace(/\b(?:[a-z_]\w*\.)+([A-Z]\w*(?:Error|Exception|Warning))\b/g, "$1");
    const words = cleaned.match(/\w+(?:\.[A-Za-z_]\w*)*(?:\(\))?/g) || [];
    const terms = [];
    for (const word of words) {
      const term = word.replace(/\(\)$/, "");
      if (!STOP_WORDS.has(term.toLowerCase()) && !terms.includes(term)) terms.push(term);
    }
    // 1.x code that passes a list, select([...]) or case([...]): 2.x raises ArgumentError.
    if (/\w\(\[/.test(text)) terms.push(...["list", "ArgumentError"].filter((t) => !terms.includes(t)));
    if (code && !terms.includes(code)) terms.unshift(code);
    return terms;
  }

  /**
   * Pages with every term first, in Pagefind's order; when they are few, pages with most of
   * the terms after them (a pasted message's longer words first, at most twelve searched).
   */
  async function rankedResults(terms) {
    const pf = await engine();
    const all = (await pf.search(terms.join(" "))).results;
    if (all.length >= SECTIONS_READ || terms.length < 2) return all.slice(0, SECTIONS_READ);
    const byId = new Map();
    const searched = [...terms].sort((a, b) => b.length - a.length).slice(0, 12);
    const perTerm = await Promise.all(searched.map((term) => pf.search(term)));
    perTerm.forEach((found) => {
      const best = found.results.length ? found.results[0].score : 1;
      for (const result of found.results) {
        const entry = byId.get(result.id) || { result, terms: 0, score: 0 };
        entry.terms += 1;
        entry.score += result.score / best;
        byId.set(result.id, entry);
      }
    });
    const seen = new Set(all.map((result) => result.id));
    const most = [...byId.values()]
      .filter((entry) => !seen.has(entry.result.id))
      .sort((a, b) => b.terms - a.terms || b.score - a.score)
      .map((entry) => entry.result);
    return [...all, ...most].slice(0, SECTIONS_READ);
  }

  /** A section's address on this site: its `target`, which the index records for it. */
  function address(section) {
    return new URL(section.meta.target.replace(/^\//, ""), siteRoot).href;
  }

  /** The sections found, grouped by page in the order of each page's best section. */
  function byPage(sections) {
    const pages = new Map();
    for (const section of sections) {
      const page = section.meta.target.split("#")[0];
      if (!pages.has(page)) pages.set(page, []);
      if (pages.get(page).length < MAX_SECTIONS) pages.get(page).push(section);
    }
    return [...pages.values()].slice(0, MAX_PAGES);
  }

  /** One result: the page, linked to its best section, and its next best sections. */
  function resultItem(sections) {
    const [best, ...more] = sections;
    const item = document.createElement("li");
    item.className = "book-search-result";
    const link = document.createElement("a");
    link.href = address(best);
    link.className = "book-search-page";
    link.textContent =
      best.meta.title === best.meta.page ? best.meta.page : `${best.meta.page} › ${best.meta.title}`;
    const excerpt = document.createElement("p");
    excerpt.innerHTML = best.excerpt; // Pagefind's excerpt: escaped text, <mark> around matches
    item.append(link, excerpt);
    if (more.length) {
      const list = document.createElement("ul");
      for (const section of more) {
        const sectionItem = document.createElement("li");
        const sectionLink = document.createElement("a");
        sectionLink.href = address(section);
        sectionLink.textContent = section.meta.title;
        sectionItem.append(sectionLink);
        list.append(sectionItem);
      }
      item.append(list);
    }
    return item;
  }

  /** A results list and a status line that follow one search field. */
  function attach(input, container) {
    const status = document.createElement("p");
    status.className = "book-search-status";
    status.setAttribute("role", "status");
    const list = document.createElement("ol");
    list.className = "book-search-results";
    container.replaceChildren(status, list);
    let latest = 0;

    async function show(text) {
      const ticket = ++latest;
      const terms = readerQuery(text);
      if (!terms.length) {
        status.textContent = "";
        list.replaceChildren();
        return;
      }
      try {
        const results = await rankedResults(terms);
        const pages = byPage(await Promise.all(results.map((result) => result.data())));
        if (ticket !== latest) return; // a newer keystroke has its own results coming
        list.replaceChildren(...pages.map(resultItem));
        status.textContent = pages.length
          ? `${pages.length} page${pages.length === 1 ? "" : "s"} for ${terms.join(" ")}`
          : `Nothing found for ${terms.join(" ")}`;
      } catch (error) {
        if (ticket !== latest) return;
        status.textContent =
          location.protocol === "file:"
            ? "Search needs the book served over HTTP, for example with python -m http.server."
            : `Search failed: ${error}`;
        list.replaceChildren();
      }
    }

    input.addEventListener("input", () => show(input.value));
    input.form.addEventListener("submit", (event) => {
      // Enter opens the first result; with none yet, search.html shows them.
      const first = list.querySelector("a");
      if (first) {
        event.preventDefault();
        window.location.href = first.href;
      }
    });
    if (input.value) show(input.value);
  }

  function start() {
    const dialogInput = document.querySelector("#pst-search-dialog form.bd-search input");
    const dialogResults = document.querySelector("#pst-search-dialog .book-search");
    if (dialogInput && dialogResults) attach(dialogInput, dialogResults);
    const pageResults = document.querySelector(".bd-search-container .book-search");
    const pageInput = document.querySelector(".bd-search-container form.bd-search input");
    if (pageInput && pageResults) {
      pageInput.value = new URLSearchParams(location.search).get("q") || "";
      attach(pageInput, pageResults);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
