// Zhibu offline client, part 1 of 5: the IndexedDB store (in the manner of enketo-express's
// store.js). Three object stores: "outbox" (queued mutations, by id, indexed by seq), "photos"
// (blobs waiting for upload, by sha256) and "meta" (device credential, sequence counter, pull
// snapshot, flash), opened through the vendored idb wrapper (vendor/idb-*.umd.js, ISC licence).
//
// Why plain scripts and not ES modules: the service worker is a classic worker (sw.js composes its
// capabilities with importScripts), and importScripts cannot load ES modules. Every part of the
// offline client therefore is a plain script that adds itself to globalThis.Zhibu; pages load them
// with <script defer> in order, the worker with importScripts, the Node unit tests with require.
(function (root) {
  "use strict";
  var Z = (root.Zhibu = root.Zhibu || {});

  var DB_NAME = "zhibu-offline";
  var DB_VERSION = 1;
  var dbPromise = null;

  // Schema changes add stores or indexes; they never delete queued data.
  function upgrade(db) {
    if (!db.objectStoreNames.contains("outbox")) {
      db.createObjectStore("outbox", { keyPath: "id" }).createIndex("seq", "seq");
    }
    if (!db.objectStoreNames.contains("photos")) db.createObjectStore("photos", { keyPath: "sha256" });
    if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta", { keyPath: "key" });
  }

  function open() {
    if (dbPromise) return dbPromise;
    var opening = root.idb.openDB(DB_NAME, DB_VERSION, {
      upgrade: upgrade,
      // Another tab or a new worker wants a newer version: step aside, the next call reopens.
      blocking: function () { close(); },
      terminated: function () { dbPromise = null; }
    });
    dbPromise = opening.catch(function (error) { dbPromise = null; throw error; });
    return dbPromise;
  }

  function close() {
    var current = dbPromise;
    dbPromise = null;
    if (current) current.then(function (db) { db.close(); }, function () {});
  }

  function all(store) {
    return open().then(function (db) { return db.getAll(store); });
  }

  function get(store, key) {
    return open().then(function (db) { return db.get(store, key); });
  }

  // Several rows in one transaction: all of them are kept, or none.
  function put(store, rows) {
    return open().then(function (db) {
      var tx = db.transaction(store, "readwrite");
      rows.forEach(function (row) { tx.store.put(row); });
      return tx.done;
    });
  }

  function remove(store, key) {
    return open().then(function (db) { return db.delete(store, key); });
  }

  // Queue one item with the next sequence number, in the same transaction as the counter, so two
  // tabs never hand out the same number.
  function addNumbered(item) {
    return open().then(function (db) {
      var tx = db.transaction(["outbox", "meta"], "readwrite");
      var meta = tx.objectStore("meta");
      meta.get("seq").then(function (row) {
        var next = ((row && row.value) || 0) + 1;
        meta.put({ key: "seq", value: next });
        item.seq = next;
        tx.objectStore("outbox").put(item);
      }).catch(function () { /* the transaction aborts: tx.done rejects with the cause */ });
      return tx.done.then(function () { return item; });
    });
  }

  Z.store = { DB_NAME: DB_NAME, open: open, close: close, all: all, get: get, put: put, remove: remove,
              addNumbered: addNumbered };
})(globalThis);
