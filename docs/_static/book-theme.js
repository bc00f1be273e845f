/*
 * What the book's pages used of Bootstrap's JavaScript (bootstrap.js, 24 KB gzipped, which
 * pydata-sphinx-theme loads on every page), in a few lines; booktools/sphinxext/theme.py
 * links this file in its place:
 * - the header's dropdown menus (repository, download, colour mode): a click on their button
 *   opens or closes them, a click elsewhere, a chosen item or Escape closes them, and the arrow
 *   keys move between their items;
 * - the back-to-top button, shown when the reader scrolls up;
 * - the "/" key opens the search dialog, as on most documentation sites (Sphinx's doctools.js,
 *   which the book does not load, did it). Ctrl+K (⌘K on a Mac) is pydata-sphinx-theme's
 *   shortcut, in the theme's script; "/" does what the search button does, so both open the
 *   same dialog. These two are the site's search shortcuts; any other belongs here;
 * - scripts that only an interaction needs, such as sphinx-copybutton's (its buttons show when
 *   the pointer is over a code block): a page names them as <script data-on-interaction="URL">
 *   (booktools/sphinxext/theme.py), and they load on the reader's first pointer move, touch,
 *   key press or focus, not with the page;
 * - for sphinx-copybutton, the one call of clipboard.js that it makes (a second 3 KB script):
 *   copy a text when a button is clicked, and say whether it worked.
 * Bootstrap also drew the buttons' titles as styled tooltips; the browser's own tooltip shows
 * the same title now.
 */
(() => {
  "use strict";
  const TOGGLE = '[data-bs-toggle="dropdown"]';

  function setOpen(toggle, open) {
    const menu = toggle.parentElement.querySelector(".dropdown-menu");
    toggle.classList.toggle("show", open);
    menu.classList.toggle("show", open);
    toggle.setAttribute("aria-expanded", String(open));
    menu.style.cssText = "";
    if (!open) return;
    // Where Bootstrap's Popper put it: 2px under its button, their left edges (right edges
    // for .dropdown-menu-end) aligned, moved sideways as much as it takes to stay in the window.
    const end = menu.classList.contains("dropdown-menu-end");
    menu.style.cssText = `position:absolute;margin:0;transform:none;inset:calc(100% + 2px) ${
      end ? "0 auto auto" : "auto auto 0"}`;
    const box = menu.getBoundingClientRect();
    const shift = Math.max(0, -box.left) + Math.min(0, document.documentElement.clientWidth - box.right);
    if (shift) menu.style.transform = `translateX(${shift}px)`;
  }

  function openToggles() {
    return document.querySelectorAll(`${TOGGLE}.show`);
  }

  document.addEventListener("click", (event) => {
    const toggle = event.target.closest(TOGGLE);
    for (const other of openToggles()) if (other !== toggle) setOpen(other, false);
    if (toggle) setOpen(toggle, !toggle.classList.contains("show"));
  });

  document.addEventListener("keydown", (event) => {
    const dropdown = event.target.closest && event.target.closest(".dropdown");
    if (event.key === "Escape") {
      for (const toggle of openToggles()) {
        setOpen(toggle, false);
        if (dropdown && dropdown.contains(toggle)) toggle.focus();
      }
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && dropdown) {
      const toggle = dropdown.querySelector(TOGGLE);
      if (!toggle) return;
      event.preventDefault();
      if (!toggle.classList.contains("show")) setOpen(toggle, true);
      const items = [...dropdown.querySelectorAll(".dropdown-menu .dropdown-item")];
      if (!items.length) return;
      const step = event.key === "ArrowDown" ? 1 : -1;
      const here = items.indexOf(document.activeElement);
      // from the toggle itself, ArrowDown goes to the first item and ArrowUp to the last
      const next = here < 0 ? (step > 0 ? 0 : items.length - 1) : (here + step + items.length) % items.length;
      items[next].focus();
    }
  });

  // Tabbing out of an open menu closes it, as Bootstrap's did.
  document.addEventListener("focusout", (event) => {
    const dropdown = event.target.closest && event.target.closest(".dropdown");
    if (!dropdown || (event.relatedTarget && dropdown.contains(event.relatedTarget))) return;
    if (!event.relatedTarget) return; // focus left the window, or went to no element
    for (const toggle of dropdown.querySelectorAll(`${TOGGLE}.show`)) setOpen(toggle, false);
  });

  const backToTop = document.getElementById("pst-back-to-top");
  if (backToTop) {
    const header = document.querySelector(".bd-header");
    const below = header ? header.getBoundingClientRect().bottom : 0;
    let last = scrollY;
    backToTop.addEventListener("click", () => scrollTo(0, 0));
    addEventListener("scroll", () => {
      backToTop.style.display = scrollY < last && scrollY > below ? "block" : "none";
      last = scrollY;
    }, { passive: true });
  }

  // "/" opens the search dialog, with the cursor in its field; not while the reader types in
  // a field (the search field itself, an example's editor), nor with Ctrl, Alt or ⌘ held.
  // Shift may be: keyboard layouts such as the German one need it for "/", and on the others
  // Shift+/ is another key ("?").
  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.ctrlKey || event.altKey || event.metaKey) return;
    const target = event.target;
    if (event.defaultPrevented || event.isComposing || target.isContentEditable) return;
    if (target.closest && target.closest("input, textarea, select")) return;
    const dialog = document.getElementById("pst-search-dialog");
    const button = document.querySelector(".search-button__button");
    if (!dialog || !button) return;
    event.preventDefault(); // Firefox's quick find, say
    if (dialog.open) {
      dialog.querySelector("input")?.focus(); // focus was on a result: back to the field
    } else {
      button.click(); // the theme's handler opens the dialog, as Ctrl+K does
    }
  });

  const later = document.querySelectorAll("script[data-on-interaction]");
  const events = ["pointerover", "touchstart", "keydown", "focusin"];
  function loadLater() {
    for (const name of events) removeEventListener(name, loadLater, true);
    for (const { dataset } of later) {
      const script = document.createElement("script");
      script.src = dataset.onInteraction;
      document.head.append(script);
    }
  }
  if (later.length) {
    for (const name of events) addEventListener(name, loadLater, { capture: true, passive: true });
  }

  window.ClipboardJS ||= class {
    constructor(selector, { text }) {
      this.handlers = {};
      document.addEventListener("click", (event) => {
        const trigger = event.target.closest(selector);
        if (!trigger) return;
        const copied = navigator.clipboard
          ? navigator.clipboard.writeText(text(trigger))
          : Promise.reject(new Error("no clipboard here"));
        copied.then(
          () => this.handlers.success?.({ trigger }),
          () => this.handlers.error?.({ trigger }),
        );
      });
    }

    on(name, handler) {
      this.handlers[name] = handler;
      return this;
    }
  };
})();
