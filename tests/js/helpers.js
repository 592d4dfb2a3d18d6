// Loads the offline client's DOM-free parts (the very files the pages and the service worker load)
// into Node with fake-indexeddb, and provides a fake sync server to answer them.
"use strict";
require("fake-indexeddb/auto");
const { IDBFactory } = require("fake-indexeddb");

const STATIC = "../../webapp/static/";
globalThis.idb = require(STATIC + "vendor/idb-8.0.4.umd.js");
require(STATIC + "js/offline/store.js");
require(STATIC + "js/offline/queue.js");
require(STATIC + "js/offline/sync.js");
require(STATIC + "js/offline/storage.js");

const Z = globalThis.Zhibu;

// A fresh, empty IndexedDB and a fresh engine state for each test.
function reset() {
  Z.store.close();
  globalThis.indexedDB = new IDBFactory();
  Object.assign(Z.sync.state, { syncing: false, failures: 0, timer: null, needSignIn: false, lastError: "" });
}

function json(status, body) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

// The sync API as the phone sees it: devices, push (per mutation answers), pull, photos, whoami.
// `poison` ids make the whole push request fail as configured (the old server's 500 on a lone
// surrogate, or a 400); `verdicts` answers particular ids with a given result.
class FakeServer {
  constructor() {
    this.user = { user_id: 1, user_name: "张晓燕" };
    this.tokens = new Set();
    this.processed = new Map(); // mutation id -> result
    this.applied = []; // ids applied, in order
    this.requests = [];
    this.poison = new Map(); // id -> status of the whole request when it is in the batch
    this.verdicts = new Map(); // id -> result fields
    this.lastSeq = 0;
    this.offline = false;
    this.branches = [{ id: 7, name: "第一支部", roster: [{ id: 1, name: "张晓燕" }], entry_pages: ["/records/new/7"] }];
    this.branchesEtag = "b1";
    this.quarantine = [];
    this.quarantineEtag = "q1";
    this.offline_pages = [{ url: "/records", title: "记录" }];
    this.offline_pagesEtag = "p1";
    this.devices = 0;
    this.fetch = this.fetch.bind(this);
  }

  async fetch(url, options = {}) {
    this.requests.push({ url, options });
    if (this.offline) throw new TypeError("Failed to fetch");
    const headers = options.headers || {};
    const bearer = (headers.Authorization || "").replace("Bearer ", "");
    if (url === "/api/sync/whoami") return json(200, this.user);
    if (url === "/api/sync/devices") {
      this.devices += 1;
      const token = "token-" + this.devices;
      this.tokens.add(token);
      return json(201, { device: "device-" + this.devices, token, name: "测试", ...this.user });
    }
    if (!this.tokens.has(bearer)) return json(401, { error: { code: "device_refused", message: "该设备的同步凭据无效或已停用" } });
    if (url.startsWith("/api/sync/pull")) {
      // Like the server: a part whose etag the phone sends back comes as null ("keep yours").
      const query = new URLSearchParams(url.split("?")[1] || "");
      const part = (name) => (query.get(name + "_etag") === this[name + "Etag"] ? null : this[name]);
      return json(200, { cursor: "c", server_time: "2026-11-20T01:00:00+00:00", records: [],
                         branches: part("branches"), branches_etag: this.branchesEtag,
                         quarantine: part("quarantine"), quarantine_etag: this.quarantineEtag,
                         offline_pages: part("offline_pages"), offline_pages_etag: this.offline_pagesEtag });
    }
    if (url.startsWith("/api/sync/photos/")) return json(201, { created: true });
    if (url === "/api/sync/push") return this.push(JSON.parse(options.body));
    return json(404, { error: { code: "not_found", message: "没有这个地址" } });
  }

  push(body) {
    for (const m of body.mutations) {
      if (this.poison.has(m.id)) {
        return json(this.poison.get(m.id), { error: { code: "bad_text", message: "内容含有无法识别的字符" } });
      }
    }
    const results = body.mutations.map((m) => {
      if (this.processed.has(m.id)) {
        const first = this.processed.get(m.id);
        return { ...first, status: "duplicate", first_status: first.status };
      }
      const result = { id: m.id, seq: m.seq, status: "applied", target: m.target, version: 1,
                       ...(m.seq <= this.lastSeq ? { out_of_order: true, last_seq: this.lastSeq } : {}),
                       ...(this.verdicts.get(m.id) || {}) };
      this.processed.set(m.id, result);
      this.lastSeq = Math.max(this.lastSeq, m.seq);
      if (result.status !== "rejected") this.applied.push(m.id);
      return result;
    });
    return json(200, { device: "device", last_seq: this.lastSeq, results, server_time: "2026-11-20T01:00:00+00:00" });
  }

  pushes() { return this.requests.filter((r) => r.url === "/api/sync/push").map((r) => JSON.parse(r.options.body)); }
}

// Queue `n` record forms; returns the items in order.
async function queueForms(n, extra = {}) {
  const items = [];
  for (let i = 0; i < n; i++) {
    const item = Z.queue.itemFromPairs("record", [["topic", "主题" + i], ["uuid", Z.queue.uuid4()]], "/records/new/1/theme_day");
    items.push(await Z.queue.enqueue(Object.assign(item, extra)));
  }
  return items;
}

async function byId() {
  const out = {};
  for (const item of await Z.queue.items()) out[item.id] = item;
  return out;
}

module.exports = { Z, reset, FakeServer, queueForms, byId, json };
