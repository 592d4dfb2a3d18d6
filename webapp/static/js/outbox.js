// Zhibu offline outbox (issue "Offline entry"): forms saved with no network wait in IndexedDB and
// are pushed to /api/sync/push when the network returns. Items leave IndexedDB only after the
// server acknowledged them. The same file runs in pages (UI + triggers) and in the service worker
// (importScripts, for Background Sync): the core below touches no DOM.
(function (root) {
  "use strict";

  var DB_NAME = "zhibu-offline";
  var DB_VERSION = 1;
  var BATCH = 50;
  var BACKOFF_BASE_MS = 5000;
  var BACKOFF_CAP_MS = 5 * 60 * 1000; // retries never wait longer than 5 minutes
  var SENT_KEEP_MS = 24 * 3600 * 1000; // acknowledged items stay visible as "sent" for a day
  var SYNC_TAG = "zhibu-outbox";
  var ENTITY_LABELS = { record: "活动记录", check_in: "签到", study_note: "学习笔记", dues_payment: "党费" };
  var STATE_LABELS = { waiting: "等待同步", sending: "正在发送", sent: "已同步", attention: "需要处理" };

  // --- a tiny promise wrapper around raw IndexedDB --------------------------------------------
  var dbPromise = null;

  function openDb() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      var request = root.indexedDB.open(DB_NAME, DB_VERSION);
      // Schema changes add stores or indexes; they never delete queued data.
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("outbox")) {
          db.createObjectStore("outbox", { keyPath: "id" }).createIndex("seq", "seq");
        }
        if (!db.objectStoreNames.contains("photos")) db.createObjectStore("photos", { keyPath: "sha256" });
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta", { keyPath: "key" });
      };
      request.onsuccess = function () {
        var db = request.result;
        db.onversionchange = function () { db.close(); dbPromise = null; };
        resolve(db);
      };
      request.onerror = function () { dbPromise = null; reject(request.error); };
      request.onblocked = function () { /* another tab holds an old version: it closes on versionchange */ };
    });
    return dbPromise;
  }

  function readAll(store) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction([store], "readonly");
        var r = t.objectStore(store).getAll();
        t.oncomplete = function () { resolve(r.result || []); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  function readOne(store, key) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction([store], "readonly");
        var r = t.objectStore(store).get(key);
        t.oncomplete = function () { resolve(r.result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  function writeAll(store, rows) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction([store], "readwrite");
        rows.forEach(function (row) { t.objectStore(store).put(row); });
        t.oncomplete = function () { resolve(); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  function remove(store, key) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction([store], "readwrite");
        t.objectStore(store).delete(key);
        t.oncomplete = function () { resolve(); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  // Queue one mutation, giving it the next per-device sequence number in the same transaction.
  function enqueue(item) {
    return readOne("meta", "device").then(function (dev) {
      if (dev && dev.user_id && !item.user_id) { item.user_id = dev.user_id; item.user_name = dev.user_name; }
      return openDb();
    }).then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(["outbox", "meta"], "readwrite");
        var meta = t.objectStore("meta");
        var r = meta.get("seq");
        r.onsuccess = function () {
          var next = ((r.result && r.result.value) || 0) + 1;
          meta.put({ key: "seq", value: next });
          item.seq = next;
          t.objectStore("outbox").put(item);
        };
        t.oncomplete = function () { resolve(item); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  function uuid4() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var b = root.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // One queued form: [name, value] pairs (never the CSRF token), routed by its hidden fields (contract 3).
  function itemFromPairs(entity, pairs, action, label) {
    function get(name) {
      for (var i = 0; i < pairs.length; i++) if (pairs[i][0] === name && pairs[i][1]) return pairs[i][1];
      return "";
    }
    var target = entity === "study_note" ? get("uuid") : (get("record_uuid") || get("uuid"));
    var base = parseInt(get("base_version"), 10);
    var topic = get("topic");
    return {
      id: uuid4(), entity: entity, target: target ? target.toLowerCase() : null,
      base_version: isNaN(base) ? null : base,
      payload: { fields: pairs.filter(function (p) { return p[0] !== "csrf_token"; }), action: action },
      client_at: new Date().toISOString(), created_at: Date.now(), state: "waiting",
      label: label || ((ENTITY_LABELS[entity] || entity) + (topic ? "：" + topic : ""))
    };
  }

  function setFlash(text) { return writeAll("meta", [{ key: "flash", text: text, at: Date.now() }]); }

  function takeFlash() {
    return readOne("meta", "flash").then(function (row) {
      if (!row) return null;
      return remove("meta", "flash").then(function () { return Date.now() - row.at < 60000 ? row.text : null; });
    });
  }

  // --- talking to the server ------------------------------------------------------------------
  var listeners = [];
  var state = { syncing: false, failures: 0, timer: null, needSignIn: false, lastError: "" };

  function notify() { listeners.forEach(function (fn) { try { fn(); } catch (e) { /* keep going */ } }); }

  function NeedSignIn(message) { this.message = message || "登录已过期，请重新登录后继续同步"; }

  function device() { return readOne("meta", "device"); }

  function csrfToken() {
    if (!root.document || !root.document.body) return "";
    try { return JSON.parse(root.document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  // Register this phone once (needs the sign-in session); the token then works without it.
  // Another person signed in on this browser: their queue must not go out under the old device.
  function checkOwner(current) {
    if (!current || !root.document || !root.document.body || root.document.body.dataset.signedIn !== "1") {
      return Promise.resolve(current);
    }
    return fetch("/api/sync/whoami", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; }, function () { return null; })
      .then(function (me) {
        if (me && current.user_id && me.user_id !== current.user_id) {
          return remove("meta", "device").then(function () { return null; });
        }
        return current;
      });
  }

  function ensureDevice() {
    return device().then(checkOwner).then(function (current) {
      if (current && current.token) return current;
      if (!root.document) throw new NeedSignIn();
      return readOne("meta", "client_key").then(function (row) {
        if (row) return row.value;
        var key = uuid4();  // kept first, so a lost answer renews this device instead of adding one
        return writeAll("meta", [{ key: "client_key", value: key }]).then(function () { return key; });
      }).then(function (clientKey) {
        return fetch("/api/sync/devices", {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json" },
          body: JSON.stringify({ name: deviceName(), client_key: clientKey })
        });
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.status !== 201 || type.indexOf("application/json") < 0) throw new NeedSignIn();
        return response.json();
      }).then(function (body) {
        var row = { key: "device", device: body.device, token: body.token, name: body.name,
                    user_id: body.user_id, user_name: body.user_name };
        return writeAll("meta", [row]).then(function () { return row; });
      });
    });
  }

  function deviceName() {
    var ua = (root.navigator && root.navigator.userAgent) || "";
    var touch = root.navigator && root.navigator.maxTouchPoints > 0;
    var kind = /iPhone|iPad/.test(ua) ? "iPhone" : /Android/.test(ua) ? "安卓手机"
      : (/Mobile/.test(ua) || touch) ? "手机" : "电脑浏览器";
    return kind + " · " + new Date().toISOString().slice(0, 10);
  }

  function authFetch(dev, url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ "Authorization": "Bearer " + dev.token, "Accept": "application/json" },
      options.headers || {});
    return fetch(url, options).then(function (response) {
      if (response.status === 401) {
        // Revoked or unknown token: forget it; a signed-in page registers the phone again.
        return remove("meta", "device").then(function () {
          return response.json().catch(function () { return {}; }).then(function (body) {
            throw new NeedSignIn(body && body.error && body.error.message);
          });
        });
      }
      return response;
    });
  }

  function uploadPhotos(dev) {
    return readAll("photos").then(function (photos) {
      var chain = Promise.resolve();
      photos.filter(function (p) { return p.state !== "attention"; }).forEach(function (photo) {
        chain = chain.then(function () {
          return authFetch(dev, "/api/sync/photos/" + photo.sha256, {
            method: "PUT", headers: { "Content-Type": photo.blob.type || "image/jpeg" }, body: photo.blob
          }).then(function (response) {
            if (response.ok) return remove("photos", photo.sha256);
            if (response.status >= 400 && response.status < 500) {
              return response.json().catch(function () { return {}; }).then(function (body) {
                photo.state = "attention";
                photo.reason = (body.error && body.error.message) || "照片无法上传";
                return writeAll("photos", [photo]);
              });
            }
            throw new Error("photo upload failed: " + response.status);
          });
        });
      });
      return chain;
    });
  }

  function applyResults(items, results) {
    var byId = {};
    items.forEach(function (item) { byId[item.id] = item; });
    var now = Date.now();
    var changed = [];
    results.forEach(function (result) {
      var item = result.id && byId[result.id];
      if (!item) return;
      delete byId[result.id];
      item.result = result;
      item.acked_at = now;
      var first = result.first_status || result.status;
      if (result.status === "rejected" || first === "rejected") {
        item.state = "attention";
        item.reason = result.message || "服务器未能入库";
        item.fields = result.fields || {};
      } else {
        item.state = "sent";
        item.reason = first === "conflict" ? (result.message || "与服务器上的版本冲突，已另存待书记处理") : "";
      }
      changed.push(item);
    });
    Object.keys(byId).forEach(function (id) { byId[id].state = "waiting"; changed.push(byId[id]); });
    return writeAll("outbox", changed);
  }

  function pushBatches(dev) {
    return readAll("outbox").then(function (all) {
      var pending = all.filter(function (i) {
        return (i.state === "waiting" || i.state === "sending") && (!i.user_id || !dev.user_id || i.user_id === dev.user_id);
      }).sort(function (a, b) { return a.seq - b.seq; });
      var others = all.filter(function (i) {
        return i.state === "waiting" && i.user_id && dev.user_id && i.user_id !== dev.user_id && !i.reason;
      });
      others.forEach(function (i) { i.reason = "由" + (i.user_name || "另一位用户") + "保存，需其本人登录后同步"; });
      if (others.length) writeAll("outbox", others);
      var chain = Promise.resolve();
      for (var start = 0; start < pending.length; start += BATCH) {
        (function (batch) {
          chain = chain.then(function () {
            batch.forEach(function (i) { i.state = "sending"; });
            return writeAll("outbox", batch).then(notify).then(function () {
              var body = JSON.stringify({ device: dev.device, mutations: batch.map(function (i) {
                return { id: i.id, seq: i.seq, entity: i.entity, target: i.target, base_version: i.base_version,
                         payload: i.payload, client_at: i.client_at };
              }) });
              return authFetch(dev, "/api/sync/push", {
                method: "POST", headers: { "Content-Type": "application/json" }, body: body
              });
            }).then(function (response) {
              return response.json().catch(function () { return {}; }).then(function (json) {
                return applyResults(batch, json.results || []).then(function () {
                  if (!response.ok) throw new Error((json.error && json.error.message) || ("push " + response.status));
                });
              });
            }, function (error) {
              batch.forEach(function (i) { i.state = "waiting"; });
              return writeAll("outbox", batch).then(function () { throw error; });
            });
          });
        })(pending.slice(start, start + BATCH));
      }
      return chain;
    });
  }

  function pull(dev, page) {
    page = page || 1;
    return readOne("meta", "pull").then(function (previous) {
      var cursor = previous && previous.cursor ? "&cursor=" + encodeURIComponent(previous.cursor) : "";
      return authFetch(dev, "/api/sync/pull?device=" + encodeURIComponent(dev.device) + cursor).then(function (r) {
        if (!r.ok) throw new Error("pull " + r.status);
        return r.json();
      }).then(function (body) {
        var records = {};
        ((previous && previous.records) || []).forEach(function (r) { records[r.uuid] = r; });
        body.records.forEach(function (r) { records[r.uuid] = r; });
        var snapshot = { key: "pull", cursor: body.cursor, server_time: body.server_time, user: body.user,
                         branches: body.branches, quarantine: body.quarantine,
                         precached_at: previous ? previous.precached_at : null,
                         records: Object.keys(records).map(function (k) { return records[k]; })
                           .sort(function (a, b) { return a.occurred_on < b.occurred_on ? 1 : -1; }).slice(0, 300) };
        return writeAll("meta", [snapshot]).then(function () {
          if (body.more && page < 10) return pull(dev, page + 1);  // paged: fetch the rest now
          precache(previous, snapshot);
          return followQuarantine(body.quarantine);
        });
      });
    });
  }

  // Ask the worker to keep the entry pages (forms) of the user's branches, at most every 6 hours.
  function precache(previous, snap, force) {
    var sw = root.navigator && root.navigator.serviceWorker;
    if (!root.document || !sw || !sw.controller) return;
    if (!force && previous && previous.precached_at && Date.now() - previous.precached_at < 6 * 3600 * 1000) return;
    var urls = ["/", "/offline/outbox", "/me"];
    (snap.branches || []).forEach(function (b) { urls = urls.concat(b.entry_pages || []); });
    // The most recent records' pages too: check-ins and review states are there.
    (snap.records || []).slice(0, 15).forEach(function (r) { urls.push("/records/" + r.uuid); });
    sw.controller.postMessage({ type: "zhibu-precache", urls: urls });
    readOne("meta", "pull").then(function (snap) {
      if (snap) { snap.precached_at = Date.now(); return writeAll("meta", [snap]); }
    });
  }

  // A secretary resolved a parked item: the phone shows the outcome.
  function followQuarantine(entries) {
    var byId = {};
    (entries || []).forEach(function (q) { byId[q.id] = q; });
    return readAll("outbox").then(function (items) {
      var changed = [];
      items.forEach(function (item) {
        var q = byId[item.id];
        if (!q || item.state !== "attention") return;
        if (q.state === "applied") { item.state = "sent"; item.reason = "书记已处理，已入库"; changed.push(item); }
        else if (q.state === "dismissed") { item.reason = "书记未予入库：" + q.resolution_note; changed.push(item); }
      });
      return writeAll("outbox", changed);
    });
  }

  function purgeSent() {
    return readAll("outbox").then(function (items) {
      var old = items.filter(function (i) { return i.state === "sent" && Date.now() - (i.acked_at || 0) > SENT_KEEP_MS; });
      return Promise.all(old.map(function (i) { return remove("outbox", i.id); }));
    });
  }

  function schedule() {
    if (!root.document) return Promise.resolve(); // the worker is woken by Background Sync instead
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
    return counts().then(function (c) {
      if (!c.waiting) return;
      var delay = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * Math.pow(2, state.failures));
      delay = delay / 2 + Math.random() * delay / 2;
      state.timer = setTimeout(function () { syncNow("timer"); }, delay);
    });
  }

  function syncNow(reason) {
    if (state.syncing) return state.syncing;
    state.lastError = "";
    state.syncing = purgeSent().then(function () { return ensureDevice(); }).then(function (dev) {
      state.needSignIn = false;
      notify();
      return uploadPhotos(dev).then(function () { return pushBatches(dev); })
        .then(function () { return pull(dev); });
    }).then(function () {
      state.failures = 0;
    }, function (error) {
      if (error instanceof NeedSignIn) {
        state.needSignIn = true;
        state.lastError = error.message;
      } else {
        state.failures += 1;
        state.lastError = (root.navigator && root.navigator.onLine === false) ? "当前没有网络，联网后自动同步" : "同步未完成，稍后自动重试";
      }
    }).then(function () {
      state.syncing = false;
      notify();
      return schedule();
    });
    notify();
    return state.syncing;
  }

  function counts() {
    return readAll("outbox").then(function (items) {
      var c = { waiting: 0, sending: 0, sent: 0, attention: 0, total: items.length };
      items.forEach(function (i) { c[i.state] = (c[i.state] || 0) + 1; });
      c.waiting += c.sending;
      return c;
    });
  }

  function keepPhoto(sha256, blob) {
    return writeAll("photos", [{ sha256: String(sha256).toLowerCase(), blob: blob, state: "waiting", kept_at: Date.now() }])
      .then(function () { requestBackgroundSync(); notify(); });
  }

  function requestBackgroundSync() {
    if (!root.document || !("serviceWorker" in root.navigator)) return;
    root.navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync && reg.sync.register) return reg.sync.register(SYNC_TAG);
    }).catch(function () { /* Background Sync is an extra: the page retries on its own */ });
  }

  var api = {
    SYNC_TAG: SYNC_TAG, openDb: openDb, enqueue: enqueue, itemFromPairs: itemFromPairs, setFlash: setFlash, items: function () { return readAll("outbox"); },
    photos: function () { return readAll("photos"); }, snapshot: function () { return readOne("meta", "pull"); },
    remove: function (id) { return remove("outbox", id).then(notify); }, syncNow: syncNow, counts: counts,
    device: device,
    keepPhoto: keepPhoto, state: state, onChange: function (fn) { listeners.push(fn); }, uuid4: uuid4
  };
  root.ZhibuOutbox = api;

  if (!root.document) return; // in the service worker: the core is enough

  // --- pages: intercept offline-capable forms -------------------------------------------------
  var doc = root.document;

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
    if (el && !el.value) el.value = uuid4();
  }

  function queueForm(form, submitter) {
    var entity = form.getAttribute("data-offline-entity");
    var item = itemFromPairs(entity, formPairs(form, submitter),
      form.getAttribute("action") || root.location.pathname, form.getAttribute("data-offline-label"));
    item.page = root.location.pathname;
    return enqueue(item).then(function () {
      requestBackgroundSync();
      afterQueued(form, entity);
      return counts();
    }).then(function (c) {
      announce("已离线保存「" + item.label + "」，联网后自动同步（待同步 " + c.waiting + " 项）");
      notify();
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

  // --- the badge in the top bar and the outbox page -------------------------------------------
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
      var user = bar.querySelector(".topbar-user");
      bar.insertBefore(badge, user);
    }
    badge.hidden = n === 0 && !state.syncing;
    badge.classList.toggle("outbox-badge-attention", c.attention > 0);
    badge.classList.toggle("outbox-badge-syncing", !!state.syncing);
    badge.textContent = state.syncing && !n ? "同步中" : String(n);
    badge.setAttribute("aria-label", "待同步 " + c.waiting + " 项" + (c.attention ? "，" + c.attention + " 项需要处理" : "")
      + (state.syncing ? "，正在同步" : ""));
  }

  function when(ms) {
    var d = new Date(ms);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return (d.getMonth() + 1) + "月" + d.getDate() + "日 " + two(d.getHours()) + ":" + two(d.getMinutes());
  }

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
    var signIn = page.querySelector("[data-outbox-signin]");
    if (state.needSignIn && c.waiting) {
      if (!signIn) {
        signIn = doc.createElement("p");
        signIn.className = "flash flash-error";
        signIn.setAttribute("data-outbox-signin", "");
        var a = doc.createElement("a");
        a.href = "/login?next=/offline/outbox";
        a.textContent = "重新登录";
        signIn.appendChild(doc.createTextNode("登录已过期且本设备凭据不可用，请"));
        signIn.appendChild(a);
        signIn.appendChild(doc.createTextNode("后继续同步；待同步内容仍保存在手机上。"));
        summary.parentNode.insertBefore(signIn, summary.nextSibling);
      }
    } else if (signIn) {
      signIn.remove();
    }
    var list = page.querySelector("[data-outbox-list]");
    list.innerHTML = "";
    items.sort(function (a, b) { return b.seq - a.seq; }).forEach(function (item) {
      var li = doc.createElement("li");
      li.className = "list-item outbox-item";
      li.setAttribute("data-outbox-item", item.id);
      li.setAttribute("data-state", item.state);
      var title = doc.createElement("strong");
      title.textContent = item.label;
      var tag = doc.createElement("span");
      tag.className = "tag " + ({ sent: "tag-ok", attention: "tag-warn", sending: "tag-role" }[item.state] || "tag-muted");
      tag.textContent = STATE_LABELS[item.state] || item.state;
      var meta = doc.createElement("span");
      meta.className = "muted small";
      meta.textContent = (ENTITY_LABELS[item.entity] || item.entity) + " · 保存于 " + when(item.created_at);
      li.appendChild(title); li.appendChild(doc.createTextNode(" ")); li.appendChild(tag);
      li.appendChild(doc.createTextNode(" ")); li.appendChild(meta);
      if (item.reason) {
        var reason = doc.createElement("p");
        reason.className = item.state === "attention" ? "error small" : "muted small";
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
        var drop = doc.createElement("button");
        drop.type = "button";
        drop.className = "btn btn-small btn-danger";
        drop.setAttribute("data-outbox-remove", item.id);
        drop.setAttribute("aria-label", "从手机上移除「" + item.label + "」");
        drop.textContent = "从手机移除";
        li.appendChild(drop);
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
      tag.className = "tag " + (r.state === "approved" ? "tag-ok" : r.state === "returned" ? "tag-warn" : "tag-muted");
      tag.textContent = r.state_label + (r.has_conflict ? " · 有冲突" : "") + (r.photos_missing ? " · 照片未到 " + r.photos_missing : "");
      var d = doc.createElement("span");
      d.className = "muted small";
      d.textContent = r.occurred_on;
      li.appendChild(a); li.appendChild(doc.createTextNode(" ")); li.appendChild(tag);
      li.appendChild(doc.createTextNode(" ")); li.appendChild(d);
      list.appendChild(li);
    });
  }

  function render() {
    return Promise.all([readAll("outbox"), counts(), readOne("meta", "pull")]).then(function (r) {
      renderBadge(r[1]);
      renderPage(r[0], r[1]);
      renderSnapshot(r[2]);
    }).catch(function () { /* private mode without IndexedDB: nothing to show */ });
  }
  listeners.push(render);

  function exportJson() {
    return Promise.all([readAll("outbox"), readAll("photos"), device()]).then(function (r) {
      return Promise.all(r[1].map(function (p) {
        return new Promise(function (resolve) {
          var reader = new FileReader();
          reader.onload = function () { resolve({ sha256: p.sha256, state: p.state, data_url: reader.result }); };
          reader.onerror = function () { resolve({ sha256: p.sha256, state: p.state, data_url: null }); };
          reader.readAsDataURL(p.blob);
        });
      })).then(function (photos) {
        var body = { app: "支部通", kind: "outbox-export", exported_at: new Date().toISOString(),
                     device: r[2] ? r[2].device : null, items: r[0], photos: photos };
        var blob = new Blob([JSON.stringify(body, null, 2)], { type: "application/json" });
        var a = doc.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = "zhibu-outbox-" + new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-") + ".json";
        doc.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      });
    });
  }

  doc.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("[data-outbox-sync],[data-outbox-export],[data-outbox-remove]");
    if (!el) return;
    if (el.hasAttribute("data-outbox-sync")) { state.failures = 0; syncNow("button"); }
    else if (el.hasAttribute("data-outbox-export")) exportJson();
    else if (root.confirm("移除后该内容不会再同步，确定吗？（可先导出备份）")) api.remove(el.getAttribute("data-outbox-remove"));
  });

  // Triggers: app open, network back, page shown again, the worker's Background Sync, htmx swaps.
  root.addEventListener("online", function () { state.failures = 0; syncNow("online"); });
  doc.addEventListener("visibilitychange", function () { if (doc.visibilityState === "visible") syncNow("visible"); });
  doc.addEventListener("htmx:load", function (event) { if (event.target === doc.body) render(); });
  doc.addEventListener("htmx:afterSettle", render);
  if ("serviceWorker" in root.navigator) {
    // A new worker took over (first install or an upgrade with fresh caches): keep the pages again.
    root.navigator.serviceWorker.addEventListener("controllerchange", function () {
      readOne("meta", "pull").then(function (snap) { if (snap) precache(snap, snap, true); });
    });
    root.navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "zhibu-sync") syncNow("background-sync");
      if (event.data && event.data.type === "zhibu-outbox-changed") render();
    });
  }
  function start() {
    render();
    if (doc.querySelector("[data-outbox-page]")) {
      takeFlash().then(function (text) { if (text) announce(text); });
    }
    var signedIn = doc.body && doc.body.dataset.signedIn === "1";
    device().then(function (dev) { if (dev || signedIn) syncNow("open"); }, function () { /* no IndexedDB */ });
  }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
})(typeof self !== "undefined" ? self : window);
