// Push capability of the service worker (issue 5): show reminders, open the right page on click.
// Loaded by sw.js with importScripts; only adds its own listeners.
(function () {
  "use strict";
  var ICON = "/static/icons/icon-192.png";
  var DEFAULT_TITLE = "支部通提醒";

  function parse(event) {
    if (!event.data) return {};
    try { return event.data.json(); } catch (e) { return { body: event.data.text() }; }
  }

  self.zhibuShowPush = function (data) {
    data = data || {};
    var url = typeof data.url === "string" && data.url.charAt(0) === "/" ? data.url : "/";
    return self.registration.showNotification(data.title || DEFAULT_TITLE, {
      body: data.body || "",
      icon: ICON,
      badge: ICON,
      lang: "zh-CN",
      tag: data.tag || undefined,
      renotify: !!data.tag,
      data: { url: url, kind: data.kind || "" }
    });
  };

  self.addEventListener("push", function (event) {
    event.waitUntil(self.zhibuShowPush(parse(event)));
  });

  // Focus the app at the payload's page: an open window navigates there, else a new one opens
  // (also when the app was closed). navigate() first: it needs no window-interaction allowance.
  self.zhibuOpenFromNotification = function (path) {
    var target = new URL(path || "/", self.location.origin).href;
    function focusQuietly(client) {
      return client && "focus" in client ? client.focus().catch(function () { return client; }) : client;
    }
    return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (clients) {
      var same = clients.filter(function (c) { return new URL(c.url).origin === self.location.origin; });
      for (var i = 0; i < same.length; i++) {
        if (same[i].url === target) return focusQuietly(same[i]);
      }
      if (same.length && "navigate" in same[0]) {
        return same[0].navigate(target).then(function (client) {
          return client ? focusQuietly(client) : self.clients.openWindow(target);
        }).catch(function () { return self.clients.openWindow(target); });
      }
      return self.clients.openWindow(target);
    });
  };

  self.addEventListener("notificationclick", function (event) {
    event.notification.close();
    var path = (event.notification.data && event.notification.data.url) || "/";
    var opening = self.zhibuOpenFromNotification(path);
    try { event.waitUntil(opening); } catch (e) { /* an untrusted (test) event cannot be extended */ }
  });

  // The browser replaced (or dropped) the subscription: key rotation, expiry. Re-subscribe when it
  // gave no new one, and tell the server the new endpoint together with the old one, which identifies
  // this device (the worker may have no live session). Should that fail, the page re-posts the
  // subscription on the next visit (push.js under 我的 asks the server whether it knows it).
  function applicationServerKey(old) {
    if (old && old.options && old.options.applicationServerKey) {
      return Promise.resolve(old.options.applicationServerKey);
    }
    return fetch("/push/vapid-public-key", { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("no key");
      return response.json();
    }).then(function (data) {
      var padded = (data.publicKey + "===".slice((data.publicKey.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
      var raw = atob(padded);
      var bytes = new Uint8Array(raw.length);
      for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
      return bytes;
    });
  }

  self.zhibuRenewSubscription = function (oldSubscription, newSubscription) {
    var oldEndpoint = oldSubscription ? oldSubscription.endpoint : "";
    var renewed = newSubscription ? Promise.resolve(newSubscription) :
      applicationServerKey(oldSubscription).then(function (key) {
        return self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      });
    return renewed.then(function (sub) {
      var body = sub.toJSON();
      body.oldEndpoint = oldEndpoint;
      return fetch("/push/subscriptions/renew", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
      });
    });
  };

  self.addEventListener("pushsubscriptionchange", function (event) {
    var renewing = self.zhibuRenewSubscription(event.oldSubscription, event.newSubscription)
      .catch(function () { return null; });
    try { event.waitUntil(renewing); } catch (e) { /* an untrusted (test) event cannot be extended */ }
  });
})();
