// Small page behaviours that need no framework. No inline scripts anywhere (strict CSP).
(function () {
  "use strict";
  // Keep the CSRF header current after htmx swaps a new page body in (hx-boost).
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.body.getAttribute("hx-headers");
    if (!meta) return;
    try {
      var headers = JSON.parse(meta);
      if (headers["X-CSRFToken"]) event.detail.headers["X-CSRFToken"] = headers["X-CSRFToken"];
    } catch (e) { /* malformed attribute: leave the request as it is */ }
  });
  // Each page loads only the scripts it uses (base.html). A boosted navigation swaps the body only,
  // so load the scripts named in the new page's head that this document has not loaded yet (by
  // path: a newer ?v= of a script already running is not loaded twice), in their order.
  // Zhibu.loadScript(src) does the same for a script a page needs only now (offline/outbox-ui.js).
  var HEAD_SCRIPT = /<script\b[^>]*\bsrc="([^"]+)"/g;
  var pending = {};
  function loadedPaths() {
    var paths = {};
    Array.prototype.forEach.call(document.scripts, function (s) {
      if (s.src) paths[new URL(s.src, location.href).pathname] = true;
    });
    return paths;
  }
  function loadScript(src, have) {
    var url = new URL(src, location.href);
    if (url.origin !== location.origin) return Promise.reject(new Error("not this site"));
    if (pending[url.pathname]) return pending[url.pathname];
    if ((have || loadedPaths())[url.pathname]) return Promise.resolve();
    pending[url.pathname] = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = url.pathname + url.search;
      script.async = false; // run in document order
      script.onload = function () { resolve(); };
      script.onerror = function () { delete pending[url.pathname]; script.remove(); reject(new Error(url.pathname)); };
      document.head.appendChild(script);
    });
    return pending[url.pathname];
  }
  window.Zhibu = window.Zhibu || {};
  window.Zhibu.loadScript = function (src) { return loadScript(src); };
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail && event.detail.xhr;
    var text = xhr && typeof xhr.responseText === "string" ? xhr.responseText : "";
    var end = text.indexOf("</head>");
    if (end < 0) return;
    var have = loadedPaths();
    var head = text.slice(0, end);
    var match;
    HEAD_SCRIPT.lastIndex = 0;
    while ((match = HEAD_SCRIPT.exec(head)) !== null) {
      loadScript(match[1].replace(/&amp;/g, "&"), have).catch(function () { /* offline and not kept */ });
    }
  });
  // Confirm destructive actions marked with data-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);
  // The service worker (offline use, push reminders) covers the whole app from /sw.js.
  // Registered once the page has loaded, so installing it (and its precache) never competes with
  // the first paint of the page the member opened.
  function registerWorker() {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* retried on next load */ });
  }
  if ("serviceWorker" in navigator && document.body && document.body.dataset.signedIn === "1") {
    if (document.readyState === "complete") registerWorker();
    else window.addEventListener("load", registerWorker);
  }
})();
