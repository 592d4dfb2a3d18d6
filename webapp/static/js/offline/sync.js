// Zhibu offline client, part 3 of 5: the sync engine (enketo's connection + the queue's upload).
// Registers the phone once, uploads kept photos, pushes the queue in batches, pulls what the phone
// needs offline. No DOM: the service worker runs it for Background Sync; pages configure it
// (Zhibu.sync.configure) with what only a page knows (the sign-in session, CSRF, precaching).
(function (root) {
  "use strict";
  var Z = (root.Zhibu = root.Zhibu || {});
  var store = Z.store;
  var queue = Z.queue;

  var BATCH = 50;
  var BACKOFF_BASE_MS = 5000;
  var BACKOFF_CAP_MS = 5 * 60 * 1000; // retries never wait longer than 5 minutes
  var SYNC_TAG = "zhibu-outbox";

  var env = {
    fetch: function (url, options) { return root.fetch(url, options); },
    signedIn: function () { return false; }, // a page with a sign-in session may register the phone
    csrfToken: function () { return ""; },
    deviceName: function () { return "浏览器"; },
    onPulled: function () {}, // (previous snapshot, new snapshot): pages ask the worker to keep pages
    timers: false // pages retry on a timer with backoff; the worker is woken by Background Sync
  };

  var listeners = [];
  var state = { syncing: false, failures: 0, timer: null, needSignIn: false, lastError: "" };

  function configure(options) { Object.keys(options).forEach(function (k) { env[k] = options[k]; }); }

  function onChange(fn) { listeners.push(fn); }

  function notify() { listeners.forEach(function (fn) { try { fn(); } catch (e) { /* keep going */ } }); }

  function NeedSignIn(message) { this.message = message || "登录已过期，请重新登录后继续同步"; }

  // The server could not be reached, or answered that it cannot work right now: stop this round.
  function Unreachable(message) { this.message = message; }

  function device() { return store.get("meta", "device"); }

  function forgetDevice() { return store.remove("meta", "device"); }

  function readJson(response) {
    return response.json().catch(function () { return {}; }).then(function (body) { return body || {}; });
  }

  // Another person signed in on this browser: their queue must not go out under the old device.
  function checkOwner(current) {
    if (!current || !env.signedIn()) return Promise.resolve(current);
    return env.fetch("/api/sync/whoami", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; }, function () { return null; })
      .then(function (me) {
        if (me && current.user_id && me.user_id !== current.user_id) return forgetDevice().then(function () { return null; });
        return current;
      });
  }

  // Register this phone once (needs the sign-in session); the token then works without it.
  function ensureDevice() {
    return device().then(checkOwner).then(function (current) {
      if (current && current.token) return current;
      if (!env.signedIn()) throw new NeedSignIn();
      return store.get("meta", "client_key").then(function (row) {
        if (row) return row.value;
        var key = queue.uuid4(); // kept first, so a lost answer renews this device instead of adding one
        return store.put("meta", [{ key: "client_key", value: key }]).then(function () { return key; });
      }).then(function (clientKey) {
        return env.fetch("/api/sync/devices", {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": env.csrfToken(), "Accept": "application/json" },
          body: JSON.stringify({ name: env.deviceName(), client_key: clientKey })
        });
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.status !== 201 || type.indexOf("application/json") < 0) throw new NeedSignIn();
        return response.json();
      }).then(function (body) {
        var row = { key: "device", device: body.device, token: body.token, name: body.name,
                    user_id: body.user_id, user_name: body.user_name };
        return store.put("meta", [row]).then(function () { return row; });
      });
    });
  }

  // A revoked or unknown token (a password changed or reset, the device stopped by a secretary) is
  // forgotten; the queue stays. A signed-in page registers the phone again and the queue goes on.
  function authFetch(dev, url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ "Authorization": "Bearer " + dev.token, "Accept": "application/json" },
      options.headers || {});
    return env.fetch(url, options).then(function (response) {
      if (response.status !== 401) return response;
      return forgetDevice().then(function () { return readJson(response); }).then(function (body) {
        throw new NeedSignIn(body.error && body.error.message);
      });
    }, function (error) {
      throw new Unreachable("network: " + (error && error.message));
    });
  }

  function uploadPhotos(dev) {
    return queue.photos().then(function (photos) {
      var chain = Promise.resolve();
      photos.filter(function (p) { return p.state !== "attention"; }).forEach(function (photo) {
        chain = chain.then(function () {
          return authFetch(dev, "/api/sync/photos/" + photo.sha256, {
            method: "PUT", headers: { "Content-Type": photo.blob.type || "image/jpeg" }, body: photo.blob
          }).then(function (response) {
            if (response.ok) return store.remove("photos", photo.sha256);
            if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
              return readJson(response).then(function (body) {
                photo.state = "attention";
                photo.reason = (body.error && body.error.message) || "照片无法上传";
                return store.put("photos", [photo]);
              });
            }
            // A server fault on one photo: the others and the queue still go; this one next round.
          });
        });
      });
      return chain;
    });
  }

  function mutationOf(item) {
    return { id: item.id, seq: item.seq, entity: item.entity, target: item.target, base_version: item.base_version,
             payload: item.payload, client_at: item.client_at };
  }

  // Whether an answer without per-item results means the server is away (try the whole queue
  // later) rather than that something in this batch cannot be taken.
  function serverAway(status) { return status === 502 || status === 503 || status === 504 || status === 408 || status === 429; }

  // Send one batch. A refused or failed batch is split in halves until the item at fault stands
  // alone: that one item is marked (refused for good on a 4xx, retried later on a fault) and every
  // other item goes through. Resolves with the number of items that met a server fault.
  function sendBatch(dev, batch) {
    if (!batch.length) return Promise.resolve(0);
    return queue.setState(batch, "sending").then(notify).then(function () {
      return authFetch(dev, "/api/sync/push", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ device: dev.device, mutations: batch.map(mutationOf) })
      });
    }).then(function (response) {
      return readJson(response).then(function (json) {
        return queue.applyResults(batch, json.results).then(function (unanswered) {
          if (response.ok || !unanswered.length) return 0;
          if (serverAway(response.status)) throw new Unreachable("push " + response.status);
          if (unanswered.length > 1) {
            var half = Math.ceil(unanswered.length / 2);
            return sendBatch(dev, unanswered.slice(0, half)).then(function (a) {
              return sendBatch(dev, unanswered.slice(half)).then(function (b) { return a + b; });
            });
          }
          var message = json.error && json.error.message;
          if (response.status >= 400 && response.status < 500) return queue.refuse(unanswered[0], message).then(function () { return 0; });
          return queue.failedAlone(unanswered[0]).then(function () { return 1; });
        });
      });
    }, function (error) {
      return queue.setState(batch, "waiting").then(function () { throw error; });
    });
  }

  function pushQueue(dev) {
    return queue.pendingFor(dev).then(function (pending) {
      var faults = 0;
      var chain = Promise.resolve();
      for (var start = 0; start < pending.length; start += BATCH) {
        (function (batch) {
          chain = chain.then(function () { return sendBatch(dev, batch); }).then(function (n) { faults += n; });
        })(pending.slice(start, start + BATCH));
      }
      return chain.then(function () { return faults; });
    });
  }

  function pull(dev, page) {
    page = page || 1;
    return store.get("meta", "pull").then(function (previous) {
      var query = previous && previous.cursor ? "&cursor=" + encodeURIComponent(previous.cursor) : "";
      // Only what changed travels: the server answers null for a part whose etag we send back.
      ["branches", "quarantine", "offline_pages"].forEach(function (part) {
        var tag = previous && previous[part + "_etag"];
        if (tag && previous[part]) query += "&" + part + "_etag=" + encodeURIComponent(tag);
      });
      return authFetch(dev, "/api/sync/pull?device=" + encodeURIComponent(dev.device) + query).then(function (r) {
        if (!r.ok) throw new Unreachable("pull " + r.status);
        return r.json();
      }).then(function (body) {
        var records = {};
        ((previous && previous.records) || []).forEach(function (r) { records[r.uuid] = r; });
        (body.records || []).forEach(function (r) { records[r.uuid] = r; });
        var kept = function (part) { return body[part] === null && previous ? previous[part] : body[part]; };
        var snapshot = { key: "pull", cursor: body.cursor, server_time: body.server_time, user: body.user,
                         branches: kept("branches"), branches_etag: body.branches_etag,
                         quarantine: kept("quarantine"), quarantine_etag: body.quarantine_etag,
                         offline_pages: Array.isArray(kept("offline_pages")) ? kept("offline_pages") : [],
                         offline_pages_etag: body.offline_pages_etag,
                         pulled_at: Date.now(),
                         records: Object.keys(records).map(function (k) { return records[k]; })
                           .sort(function (a, b) { return a.occurred_on < b.occurred_on ? 1 : -1; }).slice(0, 300) };
        return store.put("meta", [snapshot]).then(function () {
          if (body.more && page < 10) return pull(dev, page + 1); // paged: fetch the rest now
          env.onPulled(previous, snapshot);
          return queue.followQuarantine(snapshot.quarantine);
        });
      });
    });
  }

  // Exponential backoff with jitter: base·2^failures, capped, then somewhere in its upper half.
  function nextDelay(failures, random) {
    var delay = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * Math.pow(2, failures));
    return delay / 2 + (random === undefined ? Math.random() : random) * delay / 2;
  }

  function schedule() {
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
    if (!env.timers) return Promise.resolve();
    return queue.counts().then(function (c) {
      if (!c.waiting || state.needSignIn) return;
      state.timer = setTimeout(function () { syncNow("timer"); }, nextDelay(state.failures));
    });
  }

  function syncNow(reason) {
    if (state.syncing) return state.syncing;
    state.lastError = "";
    state.syncing = queue.purgeSent().then(ensureDevice).then(function (dev) {
      state.needSignIn = false;
      notify();
      return uploadPhotos(dev).then(function () { return pushQueue(dev); }).then(function (faults) {
        return pull(dev).then(function () { return faults; });
      });
    }).then(function (faults) {
      // Items that met a server fault wait with growing pauses; the rest of the queue went through.
      state.failures = faults ? state.failures + 1 : 0;
      if (faults) state.lastError = "有 " + faults + " 项服务器暂未处理，稍后自动重试";
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
    state.reason = reason;
    notify();
    return state.syncing;
  }

  // Ask the browser to wake the worker when the network returns (an extra: pages retry anyway).
  function requestBackgroundSync() {
    var ready = root.registration ? Promise.resolve(root.registration)
      : (root.navigator && root.navigator.serviceWorker ? root.navigator.serviceWorker.ready : null);
    if (!ready) return;
    ready.then(function (reg) {
      if (reg.sync && reg.sync.register) return reg.sync.register(SYNC_TAG);
    }).catch(function () { /* Background Sync is an extra: the page retries on its own */ });
  }

  Z.sync = {
    SYNC_TAG: SYNC_TAG, BATCH: BATCH, configure: configure, onChange: onChange, notify: notify, state: state,
    NeedSignIn: NeedSignIn, device: device, ensureDevice: ensureDevice, syncNow: syncNow, nextDelay: nextDelay,
    requestBackgroundSync: requestBackgroundSync
  };

  // The outbox as photos.js, the worker and the browser tests know it.
  root.ZhibuOutbox = {
    SYNC_TAG: SYNC_TAG, enqueue: queue.enqueue, itemFromPairs: queue.itemFromPairs, setFlash: queue.setFlash,
    items: queue.items, photos: queue.photos, counts: queue.counts, device: device, syncNow: syncNow, state: state,
    onChange: onChange, uuid4: queue.uuid4,
    snapshot: function () { return store.get("meta", "pull"); },
    remove: function (id) { return queue.remove(id).then(notify); },
    keepPhoto: function (sha256, blob) {
      return queue.keepPhoto(sha256, blob).then(function () { requestBackgroundSync(); notify(); });
    }
  };
})(globalThis);
