"use strict";
// The honest outbox (issue 16): what each item shows, conflicts never green, an exported outbox
// imported on another phone applied once, the pages list kept from each pull, storage figures.
const { test, beforeEach } = require("node:test");
const assert = require("node:assert/strict");
const { Z, reset, FakeServer, json } = require("./helpers");

let server;

beforeEach(() => {
  reset();
  server = new FakeServer();
  Z.sync.configure({ fetch: server.fetch, signedIn: () => true, timers: false, onPulled: () => {} });
});

function themeDay(topic, day) {
  const item = Z.queue.itemFromPairs("record", [["topic", topic], ["occurred_on", day], ["uuid", Z.queue.uuid4()],
    ["record_type", "theme_day"]], "/records/new/1/theme_day", "主题党日 · 长江中游水文测验项目临时党支部");
  item.type_label = "主题党日";
  return Z.queue.enqueue(item);
}

test("each item shows its type, topic, date and state", async () => {
  const a = await themeDay("学习党章第一章", "2026-11-28");
  const b = await themeDay("汛后总结", "2026-11-05");
  const da = Z.queue.describe(a), db = Z.queue.describe(b);
  assert.deepEqual([da.type, da.topic, da.date, da.stateLabel, da.tone], ["主题党日", "学习党章第一章", "2026年11月28日", "等待同步", "waiting"]);
  assert.notEqual(da.topic, db.topic); // two theme days no longer read alike
  const note = await Z.queue.enqueue(Z.queue.itemFromPairs("study_note", [["topic", "四中全会公报"], ["noted_on", "2026-11-02"]], "/study/notes/new/1"));
  assert.deepEqual([Z.queue.describe(note).type, Z.queue.describe(note).date], ["学习笔记", "2026年11月2日"]);
  const dues = await Z.queue.enqueue(Z.queue.itemFromPairs("dues_payment", [["month", "2026-11"], ["paid_on", "2026-11-03"]], "/dues/1/pay"));
  assert.equal(Z.queue.describe(dues).topic, "2026年11月 党费");
  const checkIn = Z.queue.itemFromPairs("check_in", [["record_uuid", Z.queue.uuid4()]], "/records/x/check-in");
  checkIn.topic_label = "汛后总结 重温入党誓词";
  assert.equal(Z.queue.describe(checkIn).topic, "汛后总结 重温入党誓词");
});

test("a conflict is amber with its explanation, never green 已同步", async () => {
  const [ok, clash] = [await themeDay("一", "2026-11-01"), await themeDay("二", "2026-11-02")];
  server.verdicts.set(clash.id, { status: "conflict", message: "服务器上的记录已被修改，你的版本已另存，待书记处理" });
  await Z.sync.syncNow("test");
  const items = Object.fromEntries((await Z.queue.items()).map((i) => [i.id, i]));
  const okView = Z.queue.describe(items[ok.id]), clashView = Z.queue.describe(items[clash.id]);
  assert.deepEqual([okView.tone, okView.stateLabel], ["ok", "已同步"]);
  assert.equal(clashView.tone, "warn");
  assert.notEqual(clashView.stateLabel, "已同步");
  assert.match(clashView.stateLabel, /冲突/);
  assert.match(items[clash.id].reason, /另存/);
});

test("an outbox exported on one phone and imported on another is applied once", async () => {
  const first = [await themeDay("导出的第一条", "2026-11-10"), await themeDay("导出的第二条", "2026-11-11")];
  const file = JSON.parse(JSON.stringify(await Z.queue.exportData()));
  // The first phone sends both after the file was made (the file still says "waiting").
  await Z.sync.syncNow("phone one");
  assert.deepEqual(server.applied, first.map((i) => i.id));

  // A second phone (a fresh IndexedDB), signed in: imports the file twice and syncs twice.
  reset();
  const added = await Z.queue.importData(file);
  assert.equal(added.added, 2);
  assert.equal((await Z.queue.importData(file)).added, 0); // the same file again adds nothing
  await Z.sync.syncNow("phone two");
  await Z.sync.syncNow("phone two again");
  assert.deepEqual(server.applied.slice().sort(), first.map((i) => i.id).sort()); // each once
  const items = await Z.queue.items();
  assert.equal(items.length, 2);
  assert.ok(items.every((i) => i.state === "sent"));
  assert.equal(server.devices, 2);
  const dup = items.find((i) => i.id === first[0].id);
  assert.equal(dup.result.status, "duplicate"); // the server recognised the mutation id
  assert.equal(Z.queue.describe(dup).topic, "导出的第一条"); // still says what it is
});

test("each pull keeps the server's list of pages and when it was pulled", async () => {
  const pages = [{ url: "/", title: "首页" }, { url: "/records/", title: "记录" }];
  const real = server.fetch;
  server.fetch = async (url, options) => (url.startsWith("/api/sync/pull") && server.tokens.size
    ? json(200, { cursor: "c", server_time: "2026-11-20T01:00:00+00:00", records: [], branches: [], quarantine: [],
                 offline_pages: pages })
    : real(url, options));
  const kept = [];
  Z.sync.configure({ fetch: (u, o) => server.fetch(u, o), onPulled: (_prev, snap) => kept.push(snap.offline_pages) });
  const before = Date.now();
  await Z.sync.syncNow("test");
  const snap = await Z.store.get("meta", "pull");
  assert.deepEqual(snap.offline_pages, pages);
  assert.ok(snap.pulled_at >= before);
  assert.deepEqual(kept, [pages]); // the pages are refreshed on every pull, not every 6 hours
  await Z.sync.syncNow("again");
  assert.equal(kept.length, 2);
});

test("storage: outbox and photo bytes, and a warning before the quota runs out", async () => {
  const item = await themeDay("存储", "2026-11-01");
  const photo = { sha256: "a".repeat(64), blob: new Blob([new Uint8Array(300 * 1024)], { type: "image/jpeg" }) };
  const roomy = Z.storage.summarize([item], [photo], { usage: 10 * 1024 * 1024, quota: 2000 * 1024 * 1024 });
  assert.equal(roomy.photos, 300 * 1024);
  assert.ok(roomy.outbox > 100);
  assert.equal(roomy.low, false);
  assert.match(roomy.text, /照片 300 KB/);
  assert.equal(roomy.warning, "");
  const full = Z.storage.summarize([item], [photo], { usage: 170 * 1024 * 1024, quota: 200 * 1024 * 1024 });
  assert.equal(full.low, true);
  assert.match(full.warning, /快满了/);
  const tight = Z.storage.summarize([], [], { usage: 1000 * 1024 * 1024, quota: 1040 * 1024 * 1024 });
  assert.equal(tight.low, true); // under 50 MB left, even below 80 %
  assert.equal(Z.storage.summarize([], [], null).low, false); // no estimate: no false alarm
});
