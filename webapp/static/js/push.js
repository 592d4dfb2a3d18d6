// Web push under 我的 (issue 5): permission is asked only after the tap on 开启本设备通知.
// Event delegation on document, set up again on htmx:load so it works after boosted navigation.
(function () {
  "use strict";

  var supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function say(section, text) {
    var status = section.querySelector("[data-push-status]");
    if (status) status.textContent = text;
  }

  function show(section, subscribed) {
    var enable = section.querySelector("[data-push-enable]");
    var disable = section.querySelector("[data-push-disable]");
    if (enable) enable.hidden = subscribed;
    if (disable) disable.hidden = !subscribed;
  }

  function registration() {
    return navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    });
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    });
  }

  // The page shows the server's view of this device: "已开启" only when the server has this browser's
  // subscription. One it dropped (the push service said 404/410) or never got (the browser rotated it
  // while offline) is posted again; only if that fails does the page offer to turn notifications on.
  function refresh(section) {
    if (!supported) {
      say(section, "此浏览器不支持推送通知。安卓手机请用 Chrome 等浏览器；iPhone 需先“添加到主屏幕”。");
      return;
    }
    if (Notification.permission === "denied") {
      say(section, "您已在浏览器中禁止本网站发送通知，请在浏览器的网站设置中允许后再开启。");
      show(section, false);
      return;
    }
    registration().then(function (reg) { return reg.pushManager.getSubscription(); }).then(function (sub) {
      if (!sub) { show(section, false); return null; }
      var url = section.dataset.pushStatusUrl + "?endpoint=" + encodeURIComponent(sub.endpoint);
      return fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      }).then(function (status) {
        if (status.known) return status;
        say(section, "服务器未登记本设备的通知，正在重新登记…");
        return post(section.dataset.pushSubscribeUrl, sub.toJSON());
      }).then(function (status) {
        show(section, true);
        say(section, "本设备已开启通知。");
        if (status && status.known && !section.querySelector("[data-push-device-id='" + status.id + "']")) {
          window.location.reload();  // re-registered just now: show it in the device list
        }
      });
    }).catch(function () {
      show(section, false);
      say(section, "服务器未登记本设备的通知，请点击“开启本设备通知”重新开启。");
    });
  }

  function enable(section) {
    say(section, "正在开启…");
    // Permission is requested here, inside the tap's handler, never on page load.
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw new Error("denied");
      return fetch(section.dataset.pushKeyUrl, { credentials: "same-origin" });
    }).then(function (response) {
      if (!response.ok) throw new Error("nokey");
      return response.json();
    }).then(function (data) {
      return registration().then(function (reg) {
        return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(data.publicKey) });
      });
    }).then(function (sub) {
      return post(section.dataset.pushSubscribeUrl, sub.toJSON());
    }).then(function () {
      say(section, "本设备已开启通知。");
      show(section, true);
      window.location.reload();
    }).catch(function (error) {
      say(section, error && error.message === "denied" ? "未获得通知权限，可在浏览器设置中允许后重试。" : "开启失败，请稍后重试。");
      show(section, false);
    });
  }

  function disable(section) {
    registration().then(function (reg) { return reg.pushManager.getSubscription(); }).then(function (sub) {
      if (!sub) return null;
      var endpoint = sub.endpoint;
      return sub.unsubscribe().then(function () {
        return post(section.dataset.pushUnsubscribeUrl, { endpoint: endpoint }).catch(function () { return null; });
      });
    }).then(function () {
      say(section, "本设备已关闭通知。");
      show(section, false);
      window.location.reload();
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-push-enable], [data-push-disable]");
    if (!target) return;
    var section = target.closest("[data-push-settings]");
    if (!section) return;
    event.preventDefault();
    if (target.hasAttribute("data-push-enable")) enable(section); else disable(section);
  });

  function setup(root) {
    var sections = (root || document).querySelectorAll ? (root || document).querySelectorAll("[data-push-settings]") : [];
    for (var i = 0; i < sections.length; i++) refresh(sections[i]);
  }

  document.addEventListener("htmx:load", function (event) { setup(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setup(document); });
  } else {
    setup(document);
  }
})();
