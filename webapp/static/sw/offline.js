// Offline capability of the service worker (issue "Offline entry").
// - App shell (CSS, JS, htmx, icons, the offline page) precached in a versioned cache.
// - Entry pages network-first with a cached fallback, so forms open with no signal.
// - Background Sync replays the outbox. The outbox itself lives in IndexedDB, never in Cache
//   Storage: cleaning old caches on activate cannot touch queued items.
// The offline client's DOM-free parts (store, queue, sync engine): plain scripts, since a classic
// worker loads with importScripts, which cannot load ES modules.
importScripts("/static/vendor/idb-8.0.4.umd.js", "/static/js/offline/store.js", "/static/js/offline/queue.js",
              "/static/js/offline/sync.js");

(function () {
  "use strict";
  var VERSION = self.SW_VERSION || "0";
  var SHELL_CACHE = "zhibu-shell-v" + VERSION;
  var PAGES_CACHE = "zhibu-pages-v" + VERSION;
  var OWN_CACHE = /^zhibu-(shell|pages)-v/;
  var FALLBACK = "/offline/fallback";
  var SHELL = [
    "/static/css/app.css", "/static/js/app.js", "/static/js/photos.js", "/static/js/push.js",
    "/static/vendor/htmx-2.0.11.min.js", "/static/vendor/idb-8.0.4.umd.js", "/static/js/offline/store.js",
    "/static/js/offline/queue.js", "/static/js/offline/sync.js", "/static/js/offline/capture.js",
    "/static/js/offline/outbox-ui.js",
    "/static/icons/icon-192.png", "/static/icons/icon-512.png", "/static/icons/maskable-192.png",
    "/manifest.webmanifest", FALLBACK,
  ];
  // Pages a member needs in the field (stable URLs without query strings, contract 3).
  var ENTRY = [/^\/$/, /^\/records(\/|$)/, /^\/study(\/|$)/, /^\/offline\/outbox$/, /^\/me$/,
               /^\/dues\/\d+\/pay$/, /^\/appraisal\/\d+\/\d+$/, /^\/reports\/\d+\/\d+$/];

  self.addEventListener("install", function (event) {
    event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
      var fresh = function (url) { return new Request(url, { cache: "reload", credentials: "same-origin" }); };
      return cache.addAll(SHELL.map(fresh));
    }).then(function () { return self.skipWaiting(); }));
  });

  // Pages kept by the worker before this one stay usable offline until the pages refresh them: a
  // phone that loses signal right after an upgrade still opens its entry forms.
  function carryPages(names) {
    var older = names.filter(function (name) { return /^zhibu-pages-v/.test(name) && name !== PAGES_CACHE; });
    if (!older.length) return Promise.resolve();
    return caches.open(PAGES_CACHE).then(function (fresh) {
      return Promise.all(older.map(function (name) {
        return caches.open(name).then(function (old) {
          return old.keys().then(function (requests) {
            return Promise.all(requests.map(function (request) {
              return fresh.match(request).then(function (have) {
                if (have) return undefined;
                return old.match(request).then(function (page) { return page && fresh.put(request, page); });
              });
            }));
          });
        });
      }));
    });
  }

  self.addEventListener("activate", function (event) {
    event.waitUntil(caches.keys().then(function (names) {
      return carryPages(names).then(function () {
        return Promise.all(names.filter(function (name) {
          return OWN_CACHE.test(name) && name !== SHELL_CACHE && name !== PAGES_CACHE;
        }).map(function (name) { return caches.delete(name); }));
      });
    }).then(function () { return self.clients.claim(); }));
  });

  function isEntry(path) {
    return ENTRY.some(function (re) { return re.test(path); });
  }

  function pageFirst(request, url) {
    return fetch(request).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.ok && !response.redirected && response.type === "basic" && type.indexOf("text/html") === 0) {
        var copy = response.clone();
        caches.open(PAGES_CACHE).then(function (cache) { return cache.put(url.pathname, copy); });
      }
      return response;
    }, function () {
      return caches.open(PAGES_CACHE).then(function (cache) {
        return cache.match(url.pathname, { ignoreVary: true, ignoreSearch: true });
      }).then(function (cached) {
        return cached || caches.match(FALLBACK, { ignoreVary: true });
      }).then(function (page) {
        return page || new Response("当前没有网络", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
      });
    });
  }

  function shellFirst(request) {
    return caches.match(request, { ignoreVary: true }).then(function (cached) {
      return cached || fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") {
          var copy = response.clone();
          caches.open(SHELL_CACHE).then(function (cache) { return cache.put(request, copy); });
        }
        return response;
      });
    });
  }

  // Offline-capable form posts (contract 3) that fail for lack of network while the browser thinks
  // it is online: keep the form in the outbox and show the outbox instead of an error page.
  var FORM_POSTS = [
    [/^\/records\/new\/\d+\/[a-z_]+$/, "record"], [/^\/records\/[0-9a-f-]{36}\/edit$/, "record"],
    [/^\/records\/[0-9a-f-]{36}\/check-in$/, "check_in"], [/^\/study\/notes\/new\/\d+$/, "study_note"],
    [/^\/dues\/\d+\/pay$/, "dues_payment"],
    [/^\/appraisal\/\d+\/\d+\/self$/, "self_assessment"], [/^\/reports\/\d+\/\d+\/mine$/, "member_report"],
  ];

  function formEntity(path) {
    for (var i = 0; i < FORM_POSTS.length; i++) if (FORM_POSTS[i][0].test(path)) return FORM_POSTS[i][1];
    return null;
  }

  function postOrKeep(request, entity, path) {
    var copy = request.clone();
    return fetch(request).catch(function () {
      return copy.formData().then(function (data) {
        var pairs = [];
        data.forEach(function (value, name) { if (typeof value === "string") pairs.push([name, value]); });
        return self.ZhibuOutbox.enqueue(self.ZhibuOutbox.itemFromPairs(entity, pairs, path));
      }).then(function (item) {
        if (self.registration.sync) self.registration.sync.register(self.ZhibuOutbox.SYNC_TAG).catch(function () {});
        return self.ZhibuOutbox.setFlash("已离线保存「" + item.label + "」，联网后自动同步");
      }).then(function () {
        return Response.redirect(new URL("/offline/outbox", self.location.origin).href, 303);
      });
    });
  }

  self.addEventListener("fetch", function (event) {
    var request = event.request;
    if (request.method === "POST" && request.mode === "navigate") {
      var path = new URL(request.url).pathname;
      var entity = formEntity(path);
      if (entity) event.respondWith(postOrKeep(request, entity, path));
      return;
    }
    if (request.method !== "GET") return; // never cache writes
    var url = new URL(request.url);
    if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0 || url.pathname === "/sw.js") return;
    var htmx = request.headers.get("HX-Request") === "true";
    var boosted = request.headers.get("HX-Boosted") === "true";
    if (htmx && !boosted) return; // fragments are never cached
    if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/manifest.webmanifest") {
      event.respondWith(shellFirst(request));
    } else if ((request.mode === "navigate" || boosted) && (isEntry(url.pathname) || url.pathname === FALLBACK)) {
      event.respondWith(pageFirst(request, url));
    } else if (request.mode === "navigate") {
      event.respondWith(fetch(request).catch(function () {
        return caches.match(FALLBACK, { ignoreVary: true });
      }));
    }
  });

  function tellPages(type) {
    return self.clients.matchAll({ type: "window" }).then(function (list) {
      list.forEach(function (client) { client.postMessage({ type: type }); });
    });
  }

  // Background Sync: replay from the worker itself (bearer token from IndexedDB). If items are
  // still waiting, reject so the browser tries again later; pages also retry on their own.
  self.addEventListener("sync", function (event) {
    if (event.tag !== self.ZhibuOutbox.SYNC_TAG) return;
    event.waitUntil(self.ZhibuOutbox.syncNow("background-sync").then(function () {
      return self.ZhibuOutbox.counts();
    }).then(function (counts) {
      return tellPages("zhibu-outbox-changed").then(function () {
        if (counts.waiting) throw new Error("outbox not empty yet");
      });
    }));
  });

  function keepPage(path) {
    // Marked so the server leaves flash messages for the page the user actually opens.
    return fetch(new Request(path, { credentials: "same-origin", headers: { "X-Zhibu-Keep-Page": "1" } })).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.ok && !response.redirected && type.indexOf("text/html") === 0) {
        return caches.open(PAGES_CACHE).then(function (cache) { return cache.put(path, response); });
      }
    }).catch(function () { /* offline or missing page: kept next time */ });
  }

  self.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "zhibu-forget-pages") {
      event.waitUntil(caches.delete(PAGES_CACHE));
    } else if (data.type === "zhibu-precache" && Array.isArray(data.urls)) {
      var paths = data.urls.filter(function (u) { return typeof u === "string" && isEntry(u); }).slice(0, 80);
      event.waitUntil(paths.reduce(function (chain, path) {
        return chain.then(function () { return keepPage(path); });
      }, Promise.resolve()));
    }
  });
})();
