// Zhibu offline client, part 2 of 5: the queue and its item states (enketo's records-queue).
// An item is one mutation for POST /api/sync/push. Its states:
//   waiting   saved on the phone, to be sent
//   sending   in a request right now (back to waiting if no answer comes)
//   sent      the server acknowledged it (applied, duplicate, conflict kept apart); purged after a day
//   attention the server refused it for good, or could not take it after several tries: it no
//             longer goes out with the others (it never holds them back); the person removes or
//             retries it
// Items leave IndexedDB only after the server acknowledged them. No DOM here.
(function (root) {
  "use strict";
  var Z = (root.Zhibu = root.Zhibu || {});
  var store = Z.store;

  var SENT_KEEP_MS = 24 * 3600 * 1000; // acknowledged items stay visible as "sent" for a day
  var MAX_TRIES = 5; // server faults on one item alone before it waits for the person
  var ENTITIES = ["record", "check_in", "study_note", "dues_payment", "whereabouts", "outside_attendance",
    "development_note", "self_assessment", "member_report"];
  var ENTITY_LABELS = { record: "活动记录", check_in: "签到", study_note: "学习笔记", dues_payment: "党费",
    whereabouts: "所在地", outside_attendance: "流动党员出席", development_note: "发展党员记录",
    self_assessment: "个人自评", member_report: "年度汇报" };
  var STATE_LABELS = { waiting: "等待同步", sending: "正在发送", sent: "已同步", attention: "需要处理" };
  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

  function uuid4() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var b = root.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // One queued form: [name, value] pairs (never the CSRF token), routed by its hidden fields.
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

  // Queue one mutation under the person whose device this is (the owner-change path reads it).
  function enqueue(item) {
    return store.get("meta", "device").then(function (dev) {
      if (dev && dev.user_id && !item.user_id) { item.user_id = dev.user_id; item.user_name = dev.user_name; }
      return store.addNumbered(item);
    });
  }

  function items() { return store.all("outbox"); }

  function save(list) { return list.length ? store.put("outbox", list) : Promise.resolve(); }

  function remove(id) { return store.remove("outbox", id); }

  function counts() {
    return items().then(function (list) {
      var c = { waiting: 0, sending: 0, sent: 0, attention: 0, total: list.length };
      list.forEach(function (i) { c[i.state] = (c[i.state] || 0) + 1; });
      c.waiting += c.sending;
      return c;
    });
  }

  function belongsTo(item, dev) {
    return !item.user_id || !dev.user_id || item.user_id === dev.user_id;
  }

  // What goes out under this device, in sequence order. Items another person saved on this phone
  // wait for that person to sign in (their queue must not go out under someone else's device).
  function pendingFor(dev) {
    return items().then(function (list) {
      var others = list.filter(function (i) { return i.state === "waiting" && !belongsTo(i, dev) && !i.reason; });
      others.forEach(function (i) { i.reason = "由" + (i.user_name || "另一位用户") + "保存，需其本人登录后同步"; });
      return save(others).then(function () {
        return list.filter(function (i) { return (i.state === "waiting" || i.state === "sending") && belongsTo(i, dev); })
          .sort(function (a, b) { return a.seq - b.seq; });
      });
    });
  }

  function setState(list, state) {
    list.forEach(function (i) { i.state = state; });
    return save(list);
  }

  // The server's answers for a batch; items it did not answer go back to waiting. Returns those.
  // An answer names its item by id, or (when the id itself was unreadable) by its index in the batch.
  function applyResults(batch, results) {
    var byId = {};
    batch.forEach(function (item) { byId[item.id.toLowerCase()] = item; });
    var now = Date.now();
    var changed = [];
    (results || []).forEach(function (result) {
      if (!result || typeof result !== "object") return;
      var item = typeof result.id === "string" ? byId[result.id.toLowerCase()] : null;
      if (!item && typeof result.index === "number" && batch[result.index] && byId[batch[result.index].id.toLowerCase()]) {
        item = batch[result.index];
      }
      if (!item) return;
      delete byId[item.id.toLowerCase()];
      settle(item, result, now);
      changed.push(item);
    });
    var unanswered = Object.keys(byId).map(function (id) { byId[id].state = "waiting"; return byId[id]; });
    return save(changed.concat(unanswered)).then(function () { return unanswered; });
  }

  function settle(item, result, now) {
    var first = result.first_status || result.status;
    item.result = result;
    item.acked_at = now;
    item.fields = {};
    if (result.status === "rejected" || first === "rejected") {
      item.state = "attention";
      item.reason = result.message || "服务器未能入库";
      item.fields = result.fields || {};
    } else if (first === "conflict" || result.status === "conflict") {
      item.state = "sent";
      item.conflict = true; // kept apart on the server: shown amber with its explanation, never "已同步"
      item.reason = result.message || "与服务器上的版本冲突，已另存待书记处理";
    } else {
      item.state = "sent";
      item.reason = result.out_of_order ? "晚于之后保存的内容到达，已照常入库" : "";
    }
  }

  // The server refused this item on its own, outside any per-item answer (status and message).
  function refuse(item, message) {
    item.state = "attention";
    item.reason = message || "服务器无法处理这一项";
    item.retryable = true;
    return save([item]);
  }

  // A server fault while this item was sent alone: it waits for the next round, and after
  // MAX_TRIES rounds for the person, so it never holds back the items after it.
  function failedAlone(item) {
    item.tries = (item.tries || 0) + 1;
    if (item.tries >= MAX_TRIES) return refuse(item, "服务器多次未能处理这一项，请稍后点“重试”或导出备份");
    item.state = "waiting";
    item.reason = "服务器暂时未能处理，稍后自动重试";
    return save([item]);
  }

  function retry(id) {
    return store.get("outbox", id).then(function (item) {
      if (!item || item.state !== "attention") return;
      item.state = "waiting"; item.reason = ""; item.tries = 0; item.fields = {};
      return save([item]);
    });
  }

  function purgeSent(now) {
    now = now || Date.now();
    return items().then(function (list) {
      var old = list.filter(function (i) { return i.state === "sent" && now - (i.acked_at || 0) > SENT_KEEP_MS; });
      return Promise.all(old.map(function (i) { return remove(i.id); }));
    });
  }

  // A secretary resolved a parked item: the phone shows the outcome.
  function followQuarantine(entries) {
    var byId = {};
    (entries || []).forEach(function (q) { byId[q.id] = q; });
    return items().then(function (list) {
      var changed = [];
      list.forEach(function (item) {
        var q = byId[item.id];
        if (!q || item.state !== "attention") return;
        if (q.state === "applied") { item.state = "sent"; item.reason = "书记已处理，已入库"; changed.push(item); }
        else if (q.state === "dismissed") { item.reason = "书记未予入库：" + q.resolution_note; changed.push(item); }
      });
      return save(changed);
    });
  }

  function keepPhoto(sha256, blob) {
    return store.put("photos", [{ sha256: String(sha256).toLowerCase(), blob: blob, state: "waiting", kept_at: Date.now() }]);
  }

  function photos() { return store.all("photos"); }

  function setFlash(text) { return store.put("meta", [{ key: "flash", text: text, at: Date.now() }]); }

  function takeFlash() {
    return store.get("meta", "flash").then(function (row) {
      if (!row) return null;
      return store.remove("meta", "flash").then(function () { return Date.now() - row.at < 60000 ? row.text : null; });
    });
  }

  // --- what the outbox shows for one item: type, topic, date, state and its tone ---------------
  function fieldOf(item, name) {
    var pairs = (item.payload && Array.isArray(item.payload.fields)) ? item.payload.fields : [];
    for (var i = 0; i < pairs.length; i++) {
      if (Array.isArray(pairs[i]) && pairs[i][0] === name && typeof pairs[i][1] === "string" && pairs[i][1]) return pairs[i][1];
    }
    return "";
  }

  // "2026-11-30" → "2026年11月30日"; "2026-11" → "2026年11月"; anything else as it is.
  function chineseDate(text) {
    var m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(text || "");
    if (!m) return text || "";
    return m[1] + "年" + parseInt(m[2], 10) + "月" + (m[3] ? parseInt(m[3], 10) + "日" : "");
  }

  function describe(item) {
    // The form names its own type (data-offline-type, e.g. 主题党日); else the kind of sync entity.
    var type = (typeof item.type_label === "string" && item.type_label) || ENTITY_LABELS[item.entity] || item.entity;
    if (item.entity === "record" && fieldOf(item, "record_uuid")) type += "（修改）";
    var topic = fieldOf(item, "topic") || (typeof item.topic_label === "string" ? item.topic_label : "");
    if (!topic && item.entity === "dues_payment") topic = chineseDate(fieldOf(item, "month")) + " 党费";
    var day = fieldOf(item, "occurred_on") || fieldOf(item, "noted_on") || fieldOf(item, "paid_on");
    var tone = { sent: "ok", attention: "error", sending: "busy" }[item.state] || "waiting";
    var stateLabel = STATE_LABELS[item.state] || item.state;
    if (item.conflict) { tone = "warn"; stateLabel = "有冲突 · 待书记处理"; }
    return { type: type, topic: topic, date: chineseDate(day), state: item.state, stateLabel: stateLabel, tone: tone };
  }

  // --- export and import: a backup file the person keeps, or carries to another phone -----------

  function toBase64(bytes) {
    var text = "";
    for (var i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return root.btoa(text);
  }

  function exportData() {
    return Promise.all([items(), photos(), store.get("meta", "device")]).then(function (r) {
      return Promise.all(r[1].map(function (p) {
        return p.blob.arrayBuffer().then(function (buffer) {
          return { sha256: p.sha256, state: p.state,
                   data_url: "data:" + (p.blob.type || "image/jpeg") + ";base64," + toBase64(new Uint8Array(buffer)) };
        }, function () { return { sha256: p.sha256, state: p.state, data_url: null }; });
      })).then(function (kept) {
        return { app: "支部通", kind: "outbox-export", exported_at: new Date().toISOString(),
                 device: r[2] ? r[2].device : null, items: r[0], photos: kept };
      });
    });
  }

  function blobFromDataUrl(url) {
    var match = /^data:([a-z/+.-]+);base64,([A-Za-z0-9+/=]+)$/.exec(url || "");
    if (!match) return null;
    var text = root.atob(match[2]);
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return new Blob([bytes], { type: match[1] });
  }

  function importable(item) {
    return item && typeof item === "object" && typeof item.id === "string" && UUID.test(item.id)
      && ENTITIES.indexOf(item.entity) >= 0 && item.payload && typeof item.payload === "object"
      && item.state !== "sent";
  }

  // Items of an export not on this phone yet join the queue as waiting, under new sequence
  // numbers and their own ids (a resend of one the server already has is answered "duplicate").
  function importData(data) {
    if (!data || data.kind !== "outbox-export" || !Array.isArray(data.items)) {
      return Promise.reject(new Error("不是支部通导出的待同步文件"));
    }
    return items().then(function (list) {
      var have = {};
      list.forEach(function (i) { have[i.id.toLowerCase()] = true; });
      var fresh = data.items.filter(function (i) { return importable(i) && !have[i.id.toLowerCase()]; });
      var chain = Promise.resolve();
      fresh.forEach(function (raw) {
        var item = {
          id: raw.id.toLowerCase(), entity: raw.entity,
          target: typeof raw.target === "string" && UUID.test(raw.target) ? raw.target.toLowerCase() : null,
          base_version: typeof raw.base_version === "number" ? raw.base_version : null, payload: raw.payload,
          client_at: typeof raw.client_at === "string" ? raw.client_at : null,
          created_at: typeof raw.created_at === "number" ? raw.created_at : Date.now(), state: "waiting",
          label: typeof raw.label === "string" ? raw.label : (ENTITY_LABELS[raw.entity] || raw.entity),
          type_label: typeof raw.type_label === "string" ? raw.type_label.slice(0, 40) : undefined,
          topic_label: typeof raw.topic_label === "string" ? raw.topic_label.slice(0, 200) : undefined,
          user_id: raw.user_id || undefined, user_name: raw.user_name || undefined, imported_at: Date.now()
        };
        chain = chain.then(function () { return store.addNumbered(item); });
      });
      var pictures = (Array.isArray(data.photos) ? data.photos : []).filter(function (p) {
        return p && typeof p.sha256 === "string" && /^[0-9a-f]{64}$/i.test(p.sha256);
      });
      return chain.then(function () {
        return photos();
      }).then(function (kept) {
        var known = {};
        kept.forEach(function (p) { known[p.sha256] = true; });
        var rows = [];
        pictures.forEach(function (p) {
          var blob = blobFromDataUrl(p.data_url);
          if (blob && !known[p.sha256.toLowerCase()]) {
            rows.push({ sha256: p.sha256.toLowerCase(), blob: blob, state: "waiting", kept_at: Date.now() });
          }
        });
        return rows.length ? store.put("photos", rows).then(function () { return rows.length; }) : 0;
      }).then(function (photoCount) {
        return { added: fresh.length, skipped: data.items.length - fresh.length, photos: photoCount };
      });
    });
  }

  Z.queue = {
    ENTITY_LABELS: ENTITY_LABELS, STATE_LABELS: STATE_LABELS, MAX_TRIES: MAX_TRIES, SENT_KEEP_MS: SENT_KEEP_MS,
    uuid4: uuid4, itemFromPairs: itemFromPairs, enqueue: enqueue, items: items, save: save, remove: remove,
    counts: counts, pendingFor: pendingFor, setState: setState, applyResults: applyResults, refuse: refuse,
    failedAlone: failedAlone, retry: retry, purgeSent: purgeSent, followQuarantine: followQuarantine,
    keepPhoto: keepPhoto, photos: photos, setFlash: setFlash, takeFlash: takeFlash,
    exportData: exportData, importData: importData, describe: describe, chineseDate: chineseDate
  };
})(globalThis);
