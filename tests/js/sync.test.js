"use strict";
const { test, beforeEach } = require("node:test");
const assert = require("node:assert/strict");
const { Z, reset, FakeServer, queueForms, byId, json } = require("./helpers");

let server;

beforeEach(() => {
  reset();
  server = new FakeServer();
  Z.sync.configure({ fetch: server.fetch, signedIn: () => true, timers: false, onPulled: () => {} });
});

async function states() {
  const out = {};
  Object.values(await byId()).forEach((i) => { out[i.id] = i.state; });
  return out;
}

test("a signed-in page registers the phone, pushes the queue and pulls", async () => {
  const items = await queueForms(3);
  await Z.sync.syncNow("test");
  assert.equal(server.devices, 1);
  assert.deepEqual(server.applied, items.map((i) => i.id));
  assert.ok(Object.values(await states()).every((s) => s === "sent"));
  assert.equal((await Z.store.get("meta", "pull")).cursor, "c");
  assert.equal(Z.sync.state.failures, 0);
  await Z.sync.syncNow("again");
  assert.equal(server.pushes().length, 1); // nothing left to send
});

test("a second pull sends back the etags and keeps the branches the server did not resend", async () => {
  await Z.sync.syncNow("first");
  const pulls = () => server.requests.filter((r) => r.url.startsWith("/api/sync/pull")).map((r) => r.url);
  assert.ok(!pulls()[0].includes("_etag="), pulls()[0]); // a first pull asks for everything
  await Z.sync.syncNow("second");
  assert.match(pulls()[1], /branches_etag=b1/);
  assert.match(pulls()[1], /quarantine_etag=q1/);
  assert.match(pulls()[1], /offline_pages_etag=p1/);
  const kept = await Z.store.get("meta", "pull");
  assert.deepEqual(kept.offline_pages, server.offline_pages); // the kept-page list, unchanged, stays
  assert.deepEqual(kept.branches, server.branches); // answered null, the phone keeps its own
  assert.equal(kept.branches_etag, "b1");
  // The roster changes on the server: its new etag no longer matches, so it comes in full.
  server.branches = [{ ...server.branches[0], roster: [] }];
  server.branchesEtag = "b2";
  await Z.sync.syncNow("third");
  assert.deepEqual((await Z.store.get("meta", "pull")).branches[0].roster, []);
  assert.equal((await Z.store.get("meta", "pull")).branches_etag, "b2");
});

test("a queue longer than a batch goes in batches, in sequence order", async () => {
  const items = await queueForms(Z.sync.BATCH + 5);
  await Z.sync.syncNow("test");
  assert.deepEqual(server.pushes().map((p) => p.mutations.length), [Z.sync.BATCH, 5]);
  assert.deepEqual(server.applied, items.map((i) => i.id));
});

test("an item the server rejects waits for the person; the rest goes through and it is not resent", async () => {
  const items = await queueForms(5);
  server.verdicts.set(items[1].id, { status: "rejected", code: "bad_text", message: "内容含有无法识别的字符" });
  await Z.sync.syncNow("test");
  const now = await states();
  assert.equal(now[items[1].id], "attention");
  assert.deepEqual(server.applied, [0, 2, 3, 4].map((n) => items[n].id));
  await queueForms(1);
  await Z.sync.syncNow("again");
  assert.ok(!server.pushes()[1].mutations.some((m) => m.id === items[1].id));
});

test("one item that makes the whole request fail (a server fault) never blocks the items after it", async () => {
  const items = await queueForms(7);
  server.poison.set(items[2].id, 500);
  await Z.sync.syncNow("test");
  const now = await states();
  assert.deepEqual(server.applied.sort(), items.filter((_, n) => n !== 2).map((i) => i.id).sort());
  assert.equal(now[items[2].id], "waiting");
  assert.equal(Z.sync.state.failures, 1); // the next round waits longer
  for (let round = 1; round < Z.queue.MAX_TRIES; round++) await Z.sync.syncNow("retry");
  assert.equal((await states())[items[2].id], "attention");
  const sent = server.pushes().length;
  await queueForms(1);
  await Z.sync.syncNow("later");
  assert.equal(server.pushes().length, sent + 1); // the new item alone: the stuck one stays aside
  assert.equal(server.pushes().at(-1).mutations.length, 1);
});

test("one item the server refuses as a whole request (a 400) is set aside at once", async () => {
  const items = await queueForms(4);
  server.poison.set(items[3].id, 400);
  await Z.sync.syncNow("test");
  const now = await byId();
  assert.equal(now[items[3].id].state, "attention");
  assert.equal(now[items[3].id].reason, "内容含有无法识别的字符");
  assert.deepEqual(server.applied, items.slice(0, 3).map((i) => i.id));
  assert.equal(Z.sync.state.failures, 0);
});

test("a server that is away (503) keeps the whole queue waiting and backs off", async () => {
  const items = await queueForms(3);
  await Z.sync.syncNow("register");
  await queueForms(2);
  const realPush = server.push.bind(server);
  server.push = () => json(503, { error: { code: "unavailable", message: "维护中" } });
  await Z.sync.syncNow("test");
  assert.equal(Z.sync.state.failures, 1);
  assert.equal((await Z.queue.counts()).waiting, 2);
  assert.equal(server.pushes().length, 2); // no splitting while the server is away
  server.push = realPush;
  await Z.sync.syncNow("back");
  assert.equal((await Z.queue.counts()).waiting, 0);
  assert.equal(server.applied.length, items.length + 2);
});

test("no network: everything stays waiting and the failures count grows", async () => {
  await queueForms(2);
  await Z.sync.syncNow("register");
  await queueForms(1);
  server.offline = true;
  await Z.sync.syncNow("test");
  await Z.sync.syncNow("test");
  assert.equal(Z.sync.state.failures, 2);
  const c = await Z.queue.counts();
  assert.equal(c.waiting, 1);
  assert.equal(c.sending, 0);
});

test("backoff doubles from 5 seconds, is capped at 5 minutes and jittered in its upper half", () => {
  assert.equal(Z.sync.nextDelay(0, 1), 5000);
  assert.equal(Z.sync.nextDelay(0, 0), 2500);
  assert.equal(Z.sync.nextDelay(3, 1), 40000);
  assert.equal(Z.sync.nextDelay(20, 1), 300000);
  assert.equal(Z.sync.nextDelay(20, 0), 150000);
});

test("a revoked token: the queue is kept, sign-in is asked for, then it drains once", async () => {
  await queueForms(1);
  await Z.sync.syncNow("register");
  const queued = await queueForms(3);
  server.tokens.clear(); // the password was changed: every token of the person revoked
  let signedIn = false;
  Z.sync.configure({ signedIn: () => signedIn });
  await Z.sync.syncNow("online");
  assert.equal(Z.sync.state.needSignIn, true);
  assert.equal(await Z.sync.device(), undefined);
  assert.equal((await Z.queue.counts()).waiting, 3);
  await Z.sync.syncNow("still signed out");
  assert.equal(server.devices, 1);
  signedIn = true; // the person signed in again
  await Z.sync.syncNow("open");
  assert.equal(Z.sync.state.needSignIn, false);
  assert.equal(server.devices, 2);
  assert.equal((await Z.queue.counts()).waiting, 0);
  for (const item of queued) assert.equal(server.applied.filter((id) => id === item.id).length, 1);
});

test("another person signs in on this browser: a new device for them, the first person's items wait", async () => {
  const first = await queueForms(1);
  await Z.sync.syncNow("register");
  const waiting = await queueForms(2); // queued under the first person
  server.user = { user_id: 2, user_name: "李振东" };
  await Z.sync.syncNow("owner changed");
  const dev = await Z.sync.device();
  assert.equal(dev.user_id, 2);
  assert.equal(server.devices, 2);
  assert.deepEqual(server.applied, [first[0].id]);
  const now = await byId();
  for (const item of waiting) {
    assert.equal(now[item.id].state, "waiting");
    assert.match(now[item.id].reason, /需其本人登录后同步/);
  }
});

test("a late item from an imported export is answered out of order and shown as sent", async () => {
  const items = await queueForms(2);
  await Z.sync.syncNow("register");
  const file = JSON.parse(JSON.stringify(await Z.queue.exportData()));
  const lateId = Z.queue.uuid4();
  file.items = [{ ...file.items[0], id: lateId, state: "waiting" }];
  server.lastSeq = 50; // this device already sent beyond what the import is numbered
  await Z.queue.importData(file);
  await Z.sync.syncNow("after import");
  const late = (await byId())[lateId];
  assert.equal(late.state, "sent");
  assert.equal(late.result.out_of_order, true);
  assert.equal(server.applied.filter((id) => id === lateId).length, 1);
  assert.equal(items.length, 2);
});

test("photos kept offline are uploaded before the queue, and refused ones set aside", async () => {
  await queueForms(1);
  const good = "b".repeat(64), bad = "c".repeat(64);
  await Z.queue.keepPhoto(good, new Blob(["jpeg"], { type: "image/jpeg" }));
  await Z.queue.keepPhoto(bad, new Blob(["bomb"], { type: "image/png" }));
  const fetch = server.fetch;
  Z.sync.configure({ fetch: (url, options) => url.endsWith(bad)
    ? (server.requests.push({ url, options }), Promise.resolve(json(400, { error: { code: "invalid_photo", message: "照片尺寸过大" } })))
    : fetch(url, options) });
  await Z.sync.syncNow("test");
  const left = await Z.queue.photos();
  assert.deepEqual(left.map((p) => [p.sha256, p.state, p.reason]), [[bad, "attention", "照片尺寸过大"]]);
  const order = server.requests.map((r) => r.url.split("/").slice(0, 4).join("/"));
  assert.ok(order.indexOf("/api/sync/photos") < order.indexOf("/api/sync/push"));
  assert.equal((await Z.queue.counts()).waiting, 0);
});
