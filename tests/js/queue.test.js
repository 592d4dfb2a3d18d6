"use strict";
const { test, beforeEach } = require("node:test");
const assert = require("node:assert/strict");
const { Z, reset, queueForms, byId } = require("./helpers");

beforeEach(reset);

test("a queued form is one waiting item, without its CSRF token, under the device's person", async () => {
  await Z.store.put("meta", [{ key: "device", device: "d", token: "t", user_id: 7, user_name: "张晓燕" }]);
  const pairs = [["csrf_token", "secret"], ["topic", "主题党日"], ["uuid", "6F1C2A52-0000-4000-8000-000000000001"]];
  const item = await Z.queue.enqueue(Z.queue.itemFromPairs("record", pairs, "/records/new/1/theme_day"));
  assert.equal(item.state, "waiting");
  assert.equal(item.seq, 1);
  assert.equal(item.target, "6f1c2a52-0000-4000-8000-000000000001");
  assert.equal(item.label, "活动记录：主题党日");
  assert.equal(item.user_id, 7);
  assert.deepEqual(item.payload.fields.map((p) => p[0]), ["topic", "uuid"]);
});

test("every kind of server answer settles its item", async () => {
  const items = await queueForms(8);
  const [applied, duplicate, dupOfRejected, conflict, rejected, late, unanswered, byIndex] = items;
  const results = [
    { id: applied.id, status: "applied" },
    { id: duplicate.id.toUpperCase(), status: "duplicate", first_status: "applied" },
    { id: dupOfRejected.id, status: "duplicate", first_status: "rejected", message: "请填写主题" },
    { id: conflict.id, status: "conflict", message: "已另存为冲突版本" },
    { id: rejected.id, status: "rejected", code: "invalid", message: "表单有误", fields: { topic: "请填写主题" } },
    { id: late.id, status: "applied", out_of_order: true, last_seq: 9 },
    { index: 7, id: null, status: "rejected", code: "bad_text", message: "内容含有无法识别的字符" },
    { id: "someone-else", status: "applied" }
  ];
  await Z.queue.setState(items, "sending");
  const left = await Z.queue.applyResults(items, results);
  assert.deepEqual(left.map((i) => i.id), [unanswered.id]);
  const now = await byId();
  assert.equal(now[applied.id].state, "sent");
  assert.equal(now[applied.id].reason, "");
  assert.equal(now[duplicate.id].state, "sent");
  assert.equal(now[dupOfRejected.id].state, "attention");
  assert.equal(now[dupOfRejected.id].reason, "请填写主题");
  assert.equal(now[conflict.id].state, "sent");
  assert.equal(now[conflict.id].reason, "已另存为冲突版本");
  assert.equal(now[rejected.id].state, "attention");
  assert.deepEqual(now[rejected.id].fields, { topic: "请填写主题" });
  assert.equal(now[late.id].state, "sent");
  assert.match(now[late.id].reason, /晚于/);
  assert.equal(now[unanswered.id].state, "waiting");
  assert.equal(now[byIndex.id].state, "attention");
  assert.equal(now[byIndex.id].reason, "内容含有无法识别的字符");
  const c = await Z.queue.counts();
  assert.deepEqual([c.waiting, c.sent, c.attention], [1, 4, 3]);
});

test("another person's items wait for that person instead of going out under this device", async () => {
  await queueForms(2, { user_id: 1, user_name: "张晓燕" });
  const mine = await queueForms(1, { user_id: 2, user_name: "李振东" });
  const pending = await Z.queue.pendingFor({ device: "d", token: "t", user_id: 2 });
  assert.deepEqual(pending.map((i) => i.id), [mine[0].id]);
  const others = (await Z.queue.items()).filter((i) => i.user_id === 1);
  assert.ok(others.every((i) => i.state === "waiting" && i.reason === "由张晓燕保存，需其本人登录后同步"));
});

test("an item the server faults on alone waits, then waits for the person after enough tries", async () => {
  const [item] = await queueForms(1);
  for (let i = 1; i < Z.queue.MAX_TRIES; i++) {
    await Z.queue.failedAlone(item);
    assert.equal((await byId())[item.id].state, "waiting");
  }
  await Z.queue.failedAlone(item);
  const stuck = (await byId())[item.id];
  assert.equal(stuck.state, "attention");
  assert.ok(stuck.retryable);
  await Z.queue.retry(item.id);
  const again = (await byId())[item.id];
  assert.equal(again.state, "waiting");
  assert.equal(again.tries, 0);
});

test("acknowledged items are purged after a day, others never", async () => {
  const [old, fresh, waiting] = await queueForms(3);
  const day = Z.queue.SENT_KEEP_MS;
  await Z.queue.save([Object.assign(old, { state: "sent", acked_at: Date.now() - day - 1 }),
                      Object.assign(fresh, { state: "sent", acked_at: Date.now() })]);
  await Z.queue.purgeSent();
  assert.deepEqual(Object.keys(await byId()).sort(), [fresh.id, waiting.id].sort());
});

test("a secretary's decision on a parked item reaches the phone", async () => {
  const [applied, dismissed] = await queueForms(2);
  await Z.queue.save([Object.assign(applied, { state: "attention" }), Object.assign(dismissed, { state: "attention" })]);
  await Z.queue.followQuarantine([{ id: applied.id, state: "applied" },
                                  { id: dismissed.id, state: "dismissed", resolution_note: "重复记录" }]);
  const now = await byId();
  assert.equal(now[applied.id].state, "sent");
  assert.equal(now[dismissed.id].state, "attention");
  assert.equal(now[dismissed.id].reason, "书记未予入库：重复记录");
});

test("export then import on another phone: same ids, new sequence numbers, photos back, nothing twice", async () => {
  const items = await queueForms(3);
  await Z.queue.save([Object.assign(items[2], { state: "sent" })]);
  const sha = "a".repeat(64);
  await Z.queue.keepPhoto(sha, new Blob([new Uint8Array([255, 216, 255, 0, 1, 2])], { type: "image/jpeg" }));
  const file = JSON.parse(JSON.stringify(await Z.queue.exportData()));
  assert.equal(file.kind, "outbox-export");
  assert.equal(file.items.length, 3);
  assert.match(file.photos[0].data_url, /^data:image\/jpeg;base64,/);

  reset(); // another phone
  await queueForms(2); // which has items of its own: seq 1 and 2
  const result = await Z.queue.importData(file);
  assert.deepEqual(result, { added: 2, skipped: 1, photos: 1 });
  const now = await byId();
  assert.equal(now[items[0].id].state, "waiting");
  assert.deepEqual([now[items[0].id].seq, now[items[1].id].seq].sort(), [3, 4]);
  assert.equal(now[items[2].id], undefined); // already sent: not imported
  const [photo] = await Z.queue.photos();
  assert.equal(photo.sha256, sha);
  assert.deepEqual([...new Uint8Array(await photo.blob.arrayBuffer())], [255, 216, 255, 0, 1, 2]);

  const again = await Z.queue.importData(file);
  assert.deepEqual(again, { added: 0, skipped: 3, photos: 0 });
  await assert.rejects(Z.queue.importData({ kind: "something else" }));
  const hostile = { kind: "outbox-export", items: [{ id: "x", entity: "record", payload: {} },
                                                    { id: Z.queue.uuid4(), entity: "drop_tables", payload: {} }] };
  assert.deepEqual(await Z.queue.importData(hostile), { added: 0, skipped: 2, photos: 0 });
});
