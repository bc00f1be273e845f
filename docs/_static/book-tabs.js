/*
 * sphinx-design's tabs, synced and remembered: what its design-tabs.js does, in a few lines
 * (booktools/sphinxext/theme.py links this file instead, from pages with tabs only).
 * - Choosing a tab chooses, on the page, every tab of its sync group with the same sync id
 *   (booktools/sphinxext/tabs.py: the groups "backend" and "series").
 * - The choice is remembered for every page, in localStorage under "sphinx-design-tab-id-"
 *   and the group's name, and chosen again when a page opens.
 * - ?backend=postgresql in the address chooses that tab (and remembers it).
 * - An address whose #fragment is inside a tab opens that tab.
 */
(() => {
  "use strict";
  const PREFIX = "sphinx-design-tab-id-";
  const labels = [...document.querySelectorAll(".sd-tab-label[data-sync-group][data-sync-id]")];
  const inputOf = (label) => document.getElementById(label.htmlFor) || label.previousElementSibling;
  const stored = (group) => {
    try {
      return localStorage.getItem(PREFIX + group);
    } catch {
      return null; // site data blocked: tabs still sync on the page
    }
  };
  const remember = (group, id) => {
    try {
      localStorage.setItem(PREFIX + group, id);
    } catch {}
  };

  function choose(group, id) {
    for (const label of labels) {
      if (label.dataset.syncGroup === group && label.dataset.syncId === id) inputOf(label).checked = true;
    }
  }

  const query = new URLSearchParams(location.search);
  const groups = new Set(labels.map((label) => label.dataset.syncGroup));
  for (const group of groups) {
    const id = query.get(group) || stored(group); // the query wins, even where storage fails
    if (query.get(group)) remember(group, id);
    if (id) choose(group, id);
  }
  // A page restored by Back shows the choice made since on another page.
  addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    for (const group of groups) if (stored(group)) choose(group, stored(group));
  });
  for (const label of labels) {
    inputOf(label).addEventListener("change", (event) => {
      if (!event.target.checked) return;
      choose(label.dataset.syncGroup, label.dataset.syncId);
      remember(label.dataset.syncGroup, label.dataset.syncId);
    });
  }

  function openTarget() {
    let id;
    try {
      id = decodeURIComponent(location.hash.slice(1));
    } catch {
      return; // a malformed #fragment names no element
    }
    for (let node = id && document.getElementById(id); node; node = node.parentElement) {
      if (node.classList.contains("sd-tab-label")) inputOf(node).checked = true;
      if (node.classList.contains("sd-tab-content")) node.previousElementSibling.previousElementSibling.checked = true;
    }
  }
  openTarget();
  addEventListener("hashchange", openTarget);
})();
