// Zhibu offline client: no dead taps (pages only). A link to a page this phone does not hold, tapped
// while the server cannot be reached, says so at once beside the link and offers the pages the phone
// does hold (the list the server sent with the last sync, webapp/pwa/offline_pages.py, narrowed to
// those really in the worker's page cache). The offline fallback page shows the same list.
(function (root) {
  "use strict";
  var Z = (root.Zhibu = root.Zhibu || {});
  var doc = root.document;
  if (!doc) return;
  var store = Z.store;

  function pathOf(href) {
    try {
      var url = new URL(href, root.location.href);
      return url.origin === root.location.origin ? url.pathname : null;
    } catch (e) { return null; }
  }

  // Whether the worker's page cache holds this path.
  function held(path) {
    if (!root.caches) return Promise.resolve(false);
    return root.caches.keys().then(function (names) {
      var pages = names.filter(function (n) { return /^zhibu-pages-v/.test(n); });
      return Promise.all(pages.map(function (name) {
        return root.caches.open(name).then(function (c) { return c.match(path, { ignoreVary: true, ignoreSearch: true }); });
      })).then(function (found) { return found.some(Boolean); });
    }).catch(function () { return false; });
  }

  // The listed pages that are really on the phone, in the server's order.
  function heldPages() {
    return store.get("meta", "pull").then(function (snap) {
      var pages = (snap && snap.offline_pages) || [];
      return Promise.all(pages.map(function (p) { return held(p.url); })).then(function (have) {
        return pages.filter(function (_p, i) { return have[i]; });
      });
    }).catch(function () { return []; });
  }

  function heldList(pages, except) {
    var ul = doc.createElement("ul");
    ul.className = "list offline-held";
    pages.filter(function (p) { return p.url !== except; }).forEach(function (p) {
      var li = doc.createElement("li");
      li.className = "list-item";
      var a = doc.createElement("a");
      a.className = "list-link";
      a.href = p.url;
      a.textContent = p.title;
      li.appendChild(a);
      ul.appendChild(li);
    });
    return ul;
  }

  // The notice, placed right after the tapped link's list item (or the link itself).
  function explain(link) {
    var path = pathOf(link.href);
    var anchor = link.closest("li") || link;
    var next = anchor.nextElementSibling;
    if (next && next.hasAttribute("data-offline-missing")) next.remove();
    return heldPages().then(function (pages) {
      var box = doc.createElement(anchor.tagName === "LI" ? "li" : "div");
      box.className = "offline-missing";
      box.setAttribute("role", "alert");
      box.setAttribute("data-offline-missing", path || "");
      var p = doc.createElement("p");
      p.textContent = "「" + (link.textContent || "").trim().replace(/\s+/g, " ") + "」没有保存在手机上，联网后才能打开。"
        + (pages.length ? "手机上保存着：" : "");
      box.appendChild(p);
      if (pages.length) box.appendChild(heldList(pages, path));
      anchor.insertAdjacentElement("afterend", box);
      return box;
    });
  }

  function linkOf(target) {
    var a = target && target.closest ? target.closest("a[href]") : null;
    if (!a || a.target || a.hasAttribute("download") || !pathOf(a.href)) return null;
    return a;
  }

  // With no network at all (the browser knows), answer at once: before htmx sends anything.
  doc.addEventListener("click", function (event) {
    if (root.navigator.onLine !== false || event.defaultPrevented || event.button) return;
    var link = linkOf(event.target);
    if (!link) return;
    var path = pathOf(link.href);
    event.preventDefault();
    event.stopImmediatePropagation();
    held(path).then(function (have) {
      if (have) root.location.assign(link.href); // the worker serves the kept page
      else explain(link);
    });
  }, true);

  // Online by the browser's account, but the server is gone: the boosted tap failed (no answer, or
  // the worker's "not on this phone" 504).
  function failed(event) {
    var detail = event.detail || {};
    var link = linkOf(detail.elt);
    if (!link || (detail.requestConfig && detail.requestConfig.verb !== "get")) return;
    var xhr = detail.xhr;
    if (event.type === "htmx:responseError" && !(xhr && (xhr.status === 504 || xhr.status === 503 || xhr.status === 502))) return;
    explain(link);
  }
  doc.addEventListener("htmx:sendError", failed);
  doc.addEventListener("htmx:responseError", failed);

  // The fallback page lists what the phone holds.
  function fillFallback() {
    var slot = doc.querySelector("[data-offline-held]");
    if (!slot) return;
    heldPages().then(function (pages) {
      slot.innerHTML = "";
      if (pages.length) slot.appendChild(heldList(pages, null));
    });
  }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", fillFallback);
  else fillFallback();
  doc.addEventListener("htmx:load", function (event) { if (event.target === doc.body) fillFallback(); });

  // failed: for a failure seen before this script was loaded (offline/outbox-ui.js loads it then).
  Z.links = { held: held, heldPages: heldPages, explain: explain, failed: failed };
})(globalThis);
