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
  // Confirm destructive actions marked with data-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);
  // The service worker (offline use, push reminders) covers the whole app from /sw.js.
  if ("serviceWorker" in navigator && document.body && document.body.dataset.signedIn === "1") {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* retried on next load */ });
  }
})();
