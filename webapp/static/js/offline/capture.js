// Zhibu offline client, part 4 of 5: form capture (pages only). Forms marked data-offline-entity
// that cannot reach the server (no network, or the request never arrived) are kept in the queue
// instead, and the form is made safe against a second tap.
(function (root) {
  "use strict";
  var Z = (root.Zhibu = root.Zhibu || {});
  var doc = root.document;
  if (!doc) return;
  var queue = Z.queue;
  var sync = Z.sync;

  function formPairs(form, submitter) {
    var data = submitter ? new FormData(form, submitter) : new FormData(form);
    var pairs = [];
    data.forEach(function (value, name) {
      // Never queue a CSRF token (it expires); files travel separately as photos by hash.
      if (name === "csrf_token" || typeof value !== "string") return;
      pairs.push([name, value]);
    });
    return pairs;
  }

  function field(form, name) {
    var el = form.elements.namedItem(name);
    return el && el.value ? el.value : "";
  }

  function fillUuid(form) {
    var el = form.elements.namedItem("uuid");
    if (el && !el.value) el.value = queue.uuid4();
  }

  function queueForm(form, submitter) {
    var entity = form.getAttribute("data-offline-entity");
    var item = queue.itemFromPairs(entity, formPairs(form, submitter),
      form.getAttribute("action") || root.location.pathname, form.getAttribute("data-offline-label"));
    item.page = root.location.pathname;
    if (form.getAttribute("data-offline-type")) item.type_label = form.getAttribute("data-offline-type");
    if (form.getAttribute("data-offline-topic")) item.topic_label = form.getAttribute("data-offline-topic");
    return queue.enqueue(item).then(function () {
      sync.requestBackgroundSync();
      afterQueued(form, entity);
      return queue.counts();
    }).then(function (c) {
      announce("已离线保存「" + item.label + "」，联网后自动同步（待同步 " + c.waiting + " 项）");
      sync.notify();
    }).catch(function () {
      announce("手机存储不可用，未能离线保存，请联网后重试", true);
    });
  }

  // Saved: make a second tap create nothing twice.
  function afterQueued(form, entity) {
    if (entity === "check_in") {
      var done = doc.createElement("p");
      done.className = "tag tag-ok";
      done.textContent = "已离线签到，联网后自动同步";
      form.replaceWith(done);
      return;
    }
    if (field(form, "record_uuid")) {
      // An edit: the next offline edit builds on this one (the server numbers it base + 1).
      var base = form.elements.namedItem("base_version");
      var n = parseInt(base && base.value, 10);
      if (!isNaN(n)) base.value = String(n + 1);
      return;
    }
    // A new entry: an empty form with a new uuid next time.
    form.reset();
    Array.prototype.forEach.call(form.querySelectorAll(
      "input[type=hidden][name=photos], input[type=hidden][name=photo_sha256]"), function (input) {
      var figure = input.closest("figure");
      (figure || input).remove();
    });
    var el = form.elements.namedItem("uuid");
    if (el) el.value = "";
  }

  // A message at the top of the page, with a link to the outbox unless it is an error.
  function announce(text, isError) {
    var main = doc.getElementById("main") || doc.body;
    var box = doc.querySelector("[data-outbox-flash]");
    if (!box) {
      box = doc.createElement("div");
      box.className = "flashes";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      box.setAttribute("data-outbox-flash", "");
      main.insertBefore(box, main.firstChild);
    }
    box.innerHTML = "";
    var p = doc.createElement("p");
    p.className = "flash " + (isError ? "flash-error" : "flash-success") + " outbox-flash";
    p.textContent = text + " ";
    if (!isError) {
      var link = doc.createElement("a");
      link.href = "/offline/outbox";
      link.textContent = "查看待同步";
      p.appendChild(link);
    }
    box.appendChild(p);
    if (box.scrollIntoView) box.scrollIntoView({ block: "nearest" });
  }

  // Capture phase: before htmx (hx-boost) or the browser sends the form.
  doc.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.getAttribute && form.getAttribute("action") === "/logout" && root.navigator.serviceWorker
        && root.navigator.serviceWorker.controller) {
      // Signed-out pages must not be shown from the cache to the next person on this phone.
      root.navigator.serviceWorker.controller.postMessage({ type: "zhibu-forget-pages" });
    }
    if (!form || !form.getAttribute || !form.hasAttribute("data-offline-entity")) return;
    if (event.defaultPrevented) return; // e.g. a data-confirm the user declined
    fillUuid(form);
    if (root.navigator.onLine === false) {
      event.preventDefault();
      event.stopImmediatePropagation();
      queueForm(form, event.submitter);
    } else {
      form.__zhibuSubmitter = event.submitter || null;
    }
  }, true);

  // Online but the request never reached the server (htmx 2: htmx:sendError): keep it offline.
  doc.addEventListener("htmx:sendError", function (event) {
    var elt = event.detail && event.detail.elt;
    var form = elt && (elt.closest ? elt.closest("form[data-offline-entity]") : null);
    if (form) queueForm(form, form.__zhibuSubmitter || undefined);
  });

  Z.capture = { announce: announce, queueForm: queueForm };
})(globalThis);
