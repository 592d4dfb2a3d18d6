// Zhibu service worker, served at /sw.js (scope "/").
// It only composes the capability scripts; each one adds its own event listeners:
//   offline.js  app shell and data caches, the offline outbox hand-off, Background Sync
//   push.js     Web Push: show reminders, open the right page on click
// The server fills in SW_VERSION, a hash of every static file (webapp/pwa/worker_version.py): any
// change to them changes this script, so browsers install the new worker and refresh its caches.
// It also fills in SW_SHELL, the app shell's static files at their versioned URLs (?v=<content hash>,
// webapp/static_assets.py): the same URLs the pages ask for, so the precache answers them offline.
self.SW_VERSION = "dev";
// The server fills in the shapes of the pages a phone keeps and of the form posts it may queue,
// from their one source, webapp/pwa/offline_pages.py (worker_config).
self.ZHIBU_OFFLINE = null;
self.SW_SHELL = [];
importScripts("/static/sw/offline.js", "/static/sw/push.js");
