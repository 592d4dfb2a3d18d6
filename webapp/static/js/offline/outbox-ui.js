// Zhibu offline client, part 5 of 5: the outbox UI (pages only). The badge in the top bar, the
// outbox page (items, their states and reasons, remove / retry, export / import), the sign-in
// prompt when the device credential was revoked, and the triggers that start a sync: app open,
// network back, page shown again, the worker's Background Sync, a button (as enketo does).
(function (root) {
  "use strict";
  var Z = (root.Zhibu = root.Zhibu || {});
  var doc = root.document;
  if (!doc) return;
  var store = Z.store, queue = Z.queue, sync = Z.sync, state = Z.sync.state;
  var ENTITY_LABELS = queue.ENTITY_LABELS, STATE_LABELS = queue.STATE_LABELS;

  function signedIn() { return !!(doc.body && doc.body.dataset.signedIn === "1"); }

  function csrfToken() {
    if (!doc.body) return "";
    try { return JSON.parse(doc.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function deviceName() {
    var ua = (root.navigator && root.navigator.userAgent) || "";
    var touch = root.navigator && root.navigator.maxTouchPoints > 0;
    var kind = /iPhone|iPad/.test(ua) ? "iPhone" : /Android/.test(ua) ? "安卓手机"
      : (/Mobile/.test(ua) || touch) ? "手机" : "电脑浏览器";
    return kind + " · " + new Date().toISOString().slice(0, 10);
  }

  // Ask the worker to keep (and refresh) every page the server listed for this person, each time a
  // sync pulled: navigation, branches, entry forms, recent records with their edit pages (returned
  // first), study. The list comes from one place on the server (webapp/pwa/offline_pages.py).
  function precache(previous, snap) {
    var sw = root.navigator && root.navigator.serviceWorker;
    if (!sw || !sw.controller || !snap) return;
    var urls = (snap.offline_pages || []).map(function (p) { return p && p.url; });
    sw.controller.postMessage({ type: "zhibu-precache", urls: urls });
  }

  sync.configure({ signedIn: signedIn, csrfToken: csrfToken, deviceName: deviceName, onPulled: precache, timers: true });

  // --- the badge in the top bar and the sign-in prompt -----------------------------------------
  function renderBadge(c) {
    var bar = doc.querySelector(".topbar");
    if (!bar) return;
    var badge = bar.querySelector("[data-outbox-badge]");
    var n = c.waiting + c.attention;
    if (!badge) {
      badge = doc.createElement("a");
      badge.href = "/offline/outbox";
      badge.className = "outbox-badge";
      badge.setAttribute("data-outbox-badge", "");
      bar.insertBefore(badge, bar.querySelector(".topbar-user"));
    }
    // Quiet when there is nothing to do: shown only while something is queued, sending or needs care.
    badge.hidden = n === 0;
    badge.classList.toggle("outbox-badge-attention", c.attention > 0 || (state.needSignIn && c.waiting > 0));
    badge.classList.toggle("outbox-badge-syncing", !!state.syncing && c.sending > 0);
    badge.textContent = String(n);
    badge.setAttribute("aria-label", "待同步 " + c.waiting + " 项" + (c.attention ? "，" + c.attention + " 项需要处理" : "")
      + (state.syncing ? "，正在同步" : "") + (state.needSignIn && c.waiting ? "，需重新登录" : ""));
  }

  // On any page: the device credential is gone and no session can renew it. The queue stays.
  function renderSignIn(c) {
    var prompt = doc.querySelector("[data-outbox-signin]");
    if (!(state.needSignIn && c.waiting)) {
      if (prompt) prompt.remove();
      return;
    }
    if (prompt) return;
    var main = doc.getElementById("main") || doc.body;
    prompt = doc.createElement("p");
    prompt.className = "flash flash-error";
    prompt.setAttribute("role", "alert");
    prompt.setAttribute("data-outbox-signin", "");
    var a = doc.createElement("a");
    a.href = "/login?next=" + encodeURIComponent(root.location.pathname === "/login" ? "/offline/outbox" : root.location.pathname);
    a.textContent = "重新登录";
    prompt.appendChild(doc.createTextNode("登录已过期或本设备的同步凭据已停用，请"));
    prompt.appendChild(a);
    prompt.appendChild(doc.createTextNode("后继续同步；待同步的 " + c.waiting + " 项仍保存在手机上。"));
    main.insertBefore(prompt, main.firstChild);
  }

  function when(ms) {
    var d = new Date(ms);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return (d.getMonth() + 1) + "月" + d.getDate() + "日 " + two(d.getHours()) + ":" + two(d.getMinutes());
  }

  function button(label, attr, id, aria, extra) {
    var b = doc.createElement("button");
    b.type = "button";
    b.className = "btn btn-small" + (extra ? " " + extra : "");
    b.setAttribute(attr, id);
    b.setAttribute("aria-label", aria);
    b.textContent = label;
    return b;
  }

  // --- the outbox page -----------------------------------------------------------------------
  function renderPage(items, c) {
    var page = doc.querySelector("[data-outbox-page]");
    if (!page) return;
    var summary = page.querySelector("[data-outbox-summary]");
    var text = c.waiting ? "待同步 " + c.waiting + " 项" : "没有待同步的内容";
    if (c.attention) text += "，" + c.attention + " 项需要处理";
    if (state.syncing) text += "，正在同步…";
    else if (state.lastError) text += "。" + state.lastError;
    summary.textContent = text;
    summary.setAttribute("data-waiting", String(c.waiting));
    var list = page.querySelector("[data-outbox-list]");
    list.innerHTML = "";
    items.sort(function (a, b) { return b.seq - a.seq; }).forEach(function (item) {
      var li = doc.createElement("li");
      li.className = "list-item outbox-item";
      li.setAttribute("data-outbox-item", item.id);
      li.setAttribute("data-state", item.state);
      // Type, topic, date and state: a conflict is amber with its explanation, never "已同步".
      var d = queue.describe(item);
      li.setAttribute("data-tone", d.tone);
      var title = doc.createElement("strong");
      title.textContent = d.type + (d.topic ? "：" + d.topic : "");
      var tag = doc.createElement("span");
      tag.className = "tag " + ({ ok: "tag-ok", warn: "tag-warn", error: "tag-error", busy: "tag-role" }[d.tone] || "tag-muted");
      tag.setAttribute("data-outbox-state", "");
      tag.textContent = d.stateLabel;
      var meta = doc.createElement("span");
      meta.className = "muted small";
      meta.textContent = (d.date ? d.date + " · " : "") + "保存于 " + when(item.created_at);
      li.appendChild(title); li.appendChild(doc.createTextNode(" ")); li.appendChild(tag);
      li.appendChild(doc.createTextNode(" ")); li.appendChild(meta);
      if (item.reason) {
        var reason = doc.createElement("p");
        reason.className = item.state === "attention" ? "error small" : item.conflict ? "warn-text small" : "muted small";
        reason.textContent = item.reason;
        li.appendChild(reason);
        var fields = item.fields || {};
        Object.keys(fields).forEach(function (k) {
          var f = doc.createElement("p");
          f.className = "error small";
          f.textContent = "· " + fields[k];
          li.appendChild(f);
        });
      }
      if (item.state === "attention") {
        if (item.retryable) li.appendChild(button("重试", "data-outbox-retry", item.id, "重新发送「" + item.label + "」"));
        li.appendChild(button("从手机移除", "data-outbox-remove", item.id, "从手机上移除「" + item.label + "」", "btn-danger"));
      }
      list.appendChild(li);
    });
  }

  function renderSnapshot(snap) {
    var pulled = doc.querySelector("[data-outbox-pulled]");
    if (!pulled || !snap) return;
    pulled.textContent = "数据更新于 " + when(Date.parse(snap.server_time));
    var themes = doc.querySelector("[data-outbox-themes]");
    themes.innerHTML = "";
    (snap.branches || []).forEach(function (b) {
      if (!b.theme) return;
      var li = doc.createElement("li");
      li.className = "list-item";
      li.textContent = b.name + " · " + b.theme.month + " 主题：" + b.theme.title;
      themes.appendChild(li);
    });
    var list = doc.querySelector("[data-outbox-records]");
    list.innerHTML = "";
    (snap.records || []).slice(0, 50).forEach(function (r) {
      var li = doc.createElement("li");
      li.className = "list-item outbox-item";
      var a = doc.createElement("a");
      a.href = "/records/" + r.uuid;
      a.textContent = r.type_label + "：" + r.topic;
      var tag = doc.createElement("span");
      tag.className = "tag " + (r.has_conflict || r.state === "returned" ? "tag-warn" : r.state === "approved" ? "tag-ok" : "tag-muted");
      tag.textContent = r.state_label + (r.has_conflict ? " · 有冲突" : "") + (r.photos_missing ? " · 照片未到 " + r.photos_missing : "");
      var d = doc.createElement("span");
      d.className = "muted small";
      d.textContent = queue.chineseDate(r.occurred_on);
      li.appendChild(a); li.appendChild(doc.createTextNode(" ")); li.appendChild(tag);
      li.appendChild(doc.createTextNode(" ")); li.appendChild(d);
      list.appendChild(li);
    });
  }

  // --- scripts loaded when they have work (each page loads only what it uses, issue 16) ----------
  // links.js: no dead taps, only when the server cannot be reached; storage.js: persistent storage
  // and the quota warning, only while something is kept on the phone (the outbox page names it).
  // Their versioned URLs are on <body> (base.html); offline the worker serves them from its shell.
  function later(name) {
    var src = doc.body && doc.body.getAttribute("data-" + name + "-script");
    if (!src || !Z.loadScript) return Promise.reject(new Error("no " + name));
    return Z.loadScript(src);
  }
  function needLinks() { if (!Z.links) later("links").catch(function () {}); }
  function tapFailed(event) {
    if (Z.links) return; // loaded: its own listeners answer
    later("links").then(function () { Z.links.failed(event); }).catch(function () {});
  }
  root.addEventListener("offline", needLinks);
  doc.addEventListener("htmx:sendError", tapFailed);
  doc.addEventListener("htmx:responseError", tapFailed);
  if (root.navigator && root.navigator.onLine === false) needLinks();

  function render() {
    return Promise.all([queue.items(), queue.counts(), store.get("meta", "pull")]).then(function (r) {
      if (r[1].total && !Z.storage) later("storage").catch(function () {});
      renderBadge(r[1]);
      renderSignIn(r[1]);
      renderPage(r[0], r[1]);
      renderSnapshot(r[2]);
    }).catch(function () { /* private mode without IndexedDB: nothing to show */ });
  }
  sync.onChange(render);

  function download() {
    return queue.exportData().then(function (body) {
      var blob = new Blob([JSON.stringify(body, null, 2)], { type: "application/json" });
      var a = doc.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "zhibu-outbox-" + new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-") + ".json";
      doc.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    });
  }

  function importFile(input) {
    var file = input.files && input.files[0];
    if (!file) return;
    file.text().then(function (text) { return queue.importData(JSON.parse(text)); }).then(function (r) {
      Z.capture.announce("已导入 " + r.added + " 项" + (r.skipped ? "（" + r.skipped + " 项已在手机上或已同步，未重复导入）" : "")
        + (r.photos ? "，照片 " + r.photos + " 张" : ""));
      sync.notify();
      sync.syncNow("import");
    }).catch(function () {
      Z.capture.announce("无法导入：请选择从支部通“导出为文件”得到的文件", true);
    }).then(function () { input.value = ""; });
  }

  doc.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[data-outbox-import]")) importFile(event.target);
  });

  doc.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest(
      "[data-outbox-sync],[data-outbox-export],[data-outbox-remove],[data-outbox-retry]");
    if (!el) return;
    if (el.hasAttribute("data-outbox-sync")) { state.failures = 0; sync.syncNow("button"); }
    else if (el.hasAttribute("data-outbox-export")) download();
    else if (el.hasAttribute("data-outbox-retry")) queue.retry(el.getAttribute("data-outbox-retry")).then(function () { sync.syncNow("retry"); });
    else if (root.confirm("移除后该内容不会再同步，确定吗？（可先导出备份）")) root.ZhibuOutbox.remove(el.getAttribute("data-outbox-remove"));
  });

  // Triggers, only when there is reason: something queued, the interval since the last pull passed
  // (on a phone), a push or Background Sync from the worker, the network back, a button. Page loads
  // alone call nothing; desktop pages (a secretary at a desk) do no phone sync unless items wait.
  var PULL_EVERY_MS = 15 * 60 * 1000;

  function isPhone() {
    var mm = root.matchMedia;
    return !!((mm && (mm("(pointer: coarse)").matches || mm("(max-width: 760px)").matches))
      || (root.navigator && root.navigator.maxTouchPoints > 0));
  }

  function reason(pushed) {
    return Promise.all([queue.counts(), store.get("meta", "pull"), sync.device()]).then(function (r) {
      var c = r[0], snap = r[1], dev = r[2];
      if (c.waiting) return "queued";
      if (!isPhone() || !(dev || signedIn())) return null;
      if (pushed) return "push";
      if (!snap || !snap.pulled_at || Date.now() - snap.pulled_at >= PULL_EVERY_MS) return "interval";
      return null;
    }).catch(function () { return null; });
  }

  function maybeSync(pushed) {
    return reason(pushed === true).then(function (why) { if (why) return sync.syncNow(why); });
  }

  root.addEventListener("online", function () { state.failures = 0; maybeSync(); });
  doc.addEventListener("visibilitychange", function () { if (doc.visibilityState === "visible") maybeSync(); });
  root.setInterval(function () { if (doc.visibilityState !== "hidden") maybeSync(); }, 60 * 1000);
  doc.addEventListener("htmx:load", function (event) { if (event.target === doc.body) render(); });
  doc.addEventListener("htmx:afterSettle", render);
  if ("serviceWorker" in root.navigator) {
    // A new worker took over (first install or an upgrade with fresh caches): keep the pages again.
    root.navigator.serviceWorker.addEventListener("controllerchange", function () {
      store.get("meta", "pull").then(function (snap) { if (snap) precache(snap, snap); });
    });
    root.navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "zhibu-sync") maybeSync(true);
      if (event.data && event.data.type === "zhibu-outbox-changed") render();
    });
  }

  function start() {
    render();
    if (doc.querySelector("[data-outbox-page]")) {
      queue.takeFlash().then(function (text) { if (text) Z.capture.announce(text); });
    }
    sync.device().then(function (dev) {
      if (dev || signedIn()) return maybeSync();
      // Signed out with no device credential: nothing can go out until the person signs in.
      return queue.counts().then(function (c) { if (c.waiting) { state.needSignIn = true; render(); } });
    }).catch(function () { /* no IndexedDB */ });
  }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
})(globalThis);
