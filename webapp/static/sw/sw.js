// Zhibu service worker, served at /sw.js (scope "/").
// It only composes the capability scripts; each one adds its own event listeners:
//   offline.js  app shell and data caches, the offline outbox hand-off, Background Sync
//   push.js     Web Push: show reminders, open the right page on click
// Bump SW_VERSION when any of them changes so browsers install the new worker.
self.SW_VERSION = "4";
importScripts("/static/sw/offline.js", "/static/sw/push.js");
