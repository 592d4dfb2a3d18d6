// Zhibu offline client: the phone's storage kept and watched. Asks the browser to keep this site's
// data (navigator.storage.persist) once something is queued, shows on the outbox page how much the
// outbox and the photos take (navigator.storage.estimate for the whole site), and warns before the
// quota runs out. summarize() has no DOM (Node unit tests).
(function (root) {
  "use strict";
  var Z = (root.Zhibu = root.Zhibu || {});
  var WARN_SHARE = 0.8;              // warn when 80 % of the quota is used
  var WARN_LEFT = 50 * 1024 * 1024;  // or when less than 50 MB are left

  function size(bytes) {
    if (bytes >= 1024 * 1024 * 1024) return (bytes / 1024 / 1024 / 1024).toFixed(1) + " GB";
    if (bytes >= 1024 * 1024) return (bytes / 1024 / 1024).toFixed(1) + " MB";
    return Math.max(0, Math.ceil(bytes / 1024)) + " KB";
  }

  function itemBytes(item) {
    try { return new root.Blob([JSON.stringify(item)]).size; } catch (e) { return 0; }
  }

  // What the outbox and the photos take, and whether the quota is near (estimate may be null).
  function summarize(items, photos, estimate) {
    var outbox = 0, pictures = 0;
    (items || []).forEach(function (i) { outbox += itemBytes(i); });
    (photos || []).forEach(function (p) { pictures += (p && p.blob && p.blob.size) || 0; });
    var out = { outbox: outbox, photos: pictures, usage: null, quota: null, low: false };
    var parts = ["待同步内容 " + size(outbox), "照片 " + size(pictures)];
    if (estimate && estimate.quota > 0) {
      out.usage = estimate.usage || 0;
      out.quota = estimate.quota;
      out.low = out.usage / out.quota >= WARN_SHARE || out.quota - out.usage < WARN_LEFT;
      parts.push("本应用共占用 " + size(out.usage) + " / 可用 " + size(out.quota));
    }
    out.text = "手机存储：" + parts.join("，");
    out.warning = out.low ? "手机存储空间快满了：请尽快联网同步，或先“导出为文件”备份，并清理手机空间，以免离线保存失败。" : "";
    return out;
  }

  function storageApi() { return root.navigator && root.navigator.storage; }

  function estimate() {
    var api = storageApi();
    return api && api.estimate ? api.estimate().catch(function () { return null; }) : Promise.resolve(null);
  }

  // Ask once something is kept on the phone: the browser then does not evict it under pressure.
  function persist() {
    var api = storageApi();
    if (!api || !api.persist) return Promise.resolve(false);
    return (api.persisted ? api.persisted() : Promise.resolve(false)).then(function (already) {
      return already || api.persist();
    }).catch(function () { return false; });
  }

  function report() {
    var queue = Z.queue;
    return Promise.all([queue.items(), queue.photos(), estimate(), persist()]).then(function (r) {
      var s = summarize(r[0], r[1], r[2]);
      s.persisted = !!r[3];
      return s;
    });
  }

  function render() {
    var doc = root.document;
    var slot = doc && doc.querySelector("[data-outbox-storage]");
    var main = doc && (doc.getElementById("main") || doc.body);
    if (!doc || !Z.queue) return Promise.resolve();
    return report().then(function (s) {
      if (slot) {
        slot.textContent = s.text + (s.persisted ? "（已设为持久保存）" : "");
        slot.setAttribute("data-outbox-bytes", String(s.outbox + s.photos));
      }
      var warn = doc.querySelector("[data-storage-warning]");
      if (!s.low) { if (warn) warn.remove(); return; }
      if (!warn && main) {
        warn = doc.createElement("p");
        warn.className = "flash flash-error";
        warn.setAttribute("role", "alert");
        warn.setAttribute("data-storage-warning", "");
        main.insertBefore(warn, main.firstChild);
      }
      if (warn) warn.textContent = s.warning;
    }).catch(function () { /* no IndexedDB or storage API: nothing to show */ });
  }

  Z.storage = { summarize: summarize, size: size, persist: persist, report: report, render: render };

  var doc = root.document;
  if (!doc || !Z.sync) return;
  Z.sync.onChange(function () {
    // Only when it matters: on the outbox page, or while something is kept on the phone.
    Z.queue.counts().then(function (c) {
      if (c.total || doc.querySelector("[data-outbox-storage]")) render();
    }).catch(function () {});
  });
  // Loaded with the outbox page, or by outbox-ui.js once something is kept on the phone.
  function start() {
    if (doc.querySelector("[data-outbox-storage]")) { render(); return; }
    Z.queue.counts().then(function (c) { if (c.total) render(); }).catch(function () {});
  }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
  doc.addEventListener("htmx:load", function (event) { if (event.target === doc.body) start(); });
})(globalThis);
