"use strict";
const { test, beforeEach } = require("node:test");
const assert = require("node:assert/strict");
const { Z, reset } = require("./helpers");

beforeEach(reset);

test("rows are kept, read back, replaced by key and removed", async () => {
  await Z.store.put("meta", [{ key: "a", value: 1 }, { key: "b", value: 2 }]);
  await Z.store.put("meta", [{ key: "a", value: 3 }]);
  assert.deepEqual(await Z.store.get("meta", "a"), { key: "a", value: 3 });
  assert.equal((await Z.store.all("meta")).length, 2);
  await Z.store.remove("meta", "b");
  assert.equal(await Z.store.get("meta", "b"), undefined);
});

test("numbered items get the next sequence number, also when added at once", async () => {
  const items = await Promise.all([1, 2, 3, 4].map((n) => Z.store.addNumbered({ id: "i" + n })));
  assert.deepEqual(items.map((i) => i.seq).sort(), [1, 2, 3, 4]);
  const next = await Z.store.addNumbered({ id: "i5" });
  assert.equal(next.seq, 5);
  assert.equal((await Z.store.get("meta", "seq")).value, 5);
});

test("data survives closing and reopening the database", async () => {
  await Z.store.addNumbered({ id: "kept" });
  await Z.store.put("photos", [{ sha256: "ab", blob: new Blob(["x"]) }]);
  Z.store.close();
  assert.equal((await Z.store.get("outbox", "kept")).seq, 1);
  assert.equal((await Z.store.all("photos")).length, 1);
  assert.equal((await Z.store.addNumbered({ id: "next" })).seq, 2);
});
