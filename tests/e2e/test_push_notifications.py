"""In Chromium: a real push event (CDP ServiceWorker.deliverPushMessage) makes the service worker show
the notification with the app icon and Chinese text; a click opens the payload's page."""
from __future__ import annotations

import json

from sqlalchemy import select

from tests.e2e.conftest import DESKTOP, sign_in
from webapp.extensions import db
from webapp.models import PlannedActivity

NOTIFICATIONS_JS = """() => navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns =>
  ns.map(n => ({title: n.title, body: n.body, icon: n.icon, tag: n.tag, url: n.data && n.data.url})))"""


# Resolves once the worker shows a notification (wait_for_function would not await the promise).
WAIT_FOR_NOTIFICATION_JS = """() => navigator.serviceWorker.ready.then(r => new Promise(resolve => {
  const check = () => r.getNotifications().then(ns => ns.length ? resolve(ns.length) : setTimeout(check, 50));
  check(); }))"""


def _activity_id(live_server) -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(PlannedActivity.id).where(
            PlannedActivity.title == "支委会：研究年度党员发展计划"))


def _controlled_page(browser, live_server):
    context = browser.new_context(**DESKTOP)
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = context.new_page()
    sign_in(page, live_server.url, "dangyuan")
    page.goto(live_server.url + "/me")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the worker, so it can navigate this window
    page.wait_for_function("() => !!navigator.serviceWorker.controller")
    return context, page


def _registration_id(cdp, origin: str) -> str:
    found = {}
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: found.update({r["scopeURL"]: r["registrationId"] for r in event["registrations"]}))
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if origin + "/" in found:
            return found[origin + "/"]
        cdp.send("Runtime.evaluate", {"expression": "1"})  # let events arrive
    raise AssertionError(f"no service worker registration for {origin}: {found}")


def test_pushed_message_shows_a_notification_and_click_opens_the_activity(browser, live_server):
    activity_id = _activity_id(live_server)
    context, page = _controlled_page(browser, live_server)
    try:
        cdp = context.new_cdp_session(page)
        registration = _registration_id(cdp, live_server.url)
        payload = {"title": "明天支委会：研究年度党员发展计划", "body": "规划计划处党支部 · 15:00，地点：规划计划处会议室",
                   "url": f"/plans/{activity_id}", "tag": f"act-{activity_id}", "kind": "meeting"}
        cdp.send("ServiceWorker.deliverPushMessage", {"origin": live_server.url, "registrationId": registration,
                                                      "data": json.dumps(payload, ensure_ascii=False)})
        page.evaluate(WAIT_FOR_NOTIFICATION_JS)
        [shown] = page.evaluate(NOTIFICATIONS_JS)
        assert shown == {"title": payload["title"], "body": payload["body"],
                         "icon": live_server.url + "/static/icons/icon-192.png", "tag": payload["tag"],
                         "url": payload["url"]}
        assert page.request.get(live_server.url + "/static/icons/icon-192.png").ok
        # Click: the worker's notificationclick handler runs with that notification.
        worker = context.service_workers[0]
        clicked = worker.evaluate("""() => self.registration.getNotifications().then(ns => {
            self.dispatchEvent(new NotificationEvent("notificationclick", {notification: ns[0]}));
            return ns.length; })""")
        assert clicked == 1
        page.wait_for_url(live_server.url + f"/plans/{activity_id}")
        assert "支委会：研究年度党员发展计划" in page.locator("h1").inner_text()
        assert page.evaluate(NOTIFICATIONS_JS) == []  # closed on click
    finally:
        context.close()


# The browser's push service (FCM) is out of reach in tests: the page's PushManager answers with a fake
# subscription, and Notification.requestPermission is counted, so the page's own code is what is tested.
FAKE_PUSH_MANAGER = """
window.__permissionAsked = 0;
const askPermission = Notification.requestPermission.bind(Notification);
Notification.requestPermission = () => { window.__permissionAsked += 1; return askPermission(); };
PushManager.prototype.getSubscription = function () { return Promise.resolve(null); };
PushManager.prototype.subscribe = function (options) {
  window.__keyBytes = options.applicationServerKey.byteLength;
  return Promise.resolve({
    endpoint: "https://fcm.googleapis.com/fcm/send/e2e-device",
    toJSON() { return {endpoint: this.endpoint, keys: {p256dh: "BE2eKey", auth: "e2eAuth"}}; },
    unsubscribe() { return Promise.resolve(true); },
  });
};
"""


def test_notifications_are_turned_on_only_after_the_tap(browser, live_server, tmp_path):
    from webapp.push import keys

    live_server.app.config["VAPID_PRIVATE_KEY_PATH"] = str(tmp_path / "vapid.pem")
    keys.create_keys(keys.key_path(live_server.app))
    context = browser.new_context(**DESKTOP)
    context.grant_permissions(["notifications"], origin=live_server.url)
    context.add_init_script(FAKE_PUSH_MANAGER)
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "shuji")
        page.goto(live_server.url + "/me")
        enable = page.get_by_role("button", name="开启本设备通知")
        enable.wait_for()
        assert not page.get_by_role("button", name="关闭本设备通知").is_visible()
        assert page.evaluate("() => window.__permissionAsked") == 0  # never asked on load
        assert page.get_by_label("学习提醒").is_checked()
        assert page.get_by_label("开始").input_value() == "22:00"
        enable.click()
        page.get_by_text("已开启通知的设备").wait_for()
        page.locator(".push-device").first.wait_for()
        assert "Chrome" in page.locator(".push-device").first.inner_text()
        with live_server.app.app_context():
            from webapp.models import PushSubscription, User

            subscription = db.session.scalar(select(PushSubscription).where(
                PushSubscription.endpoint == "https://fcm.googleapis.com/fcm/send/e2e-device"))
            owner = db.session.get(User, subscription.user_id).username
            db.session.delete(subscription)
            db.session.commit()
        assert owner == "shuji"
    finally:
        context.close()
        live_server.app.config.pop("VAPID_PRIVATE_KEY_PATH", None)


def test_click_with_the_app_closed_opens_a_new_window_at_the_page(browser, live_server):
    """With no window open the worker must open one at the payload's URL. A synthetic click carries no
    window-interaction allowance in Chromium ("Not allowed to open a window"), so the test records
    the clients.openWindow call; a real tap on a notification grants it."""
    activity_id = _activity_id(live_server)
    context, page = _controlled_page(browser, live_server)
    try:
        cdp = context.new_cdp_session(page)
        registration = _registration_id(cdp, live_server.url)
        payload = {"title": "学习提醒：学习《中国共产党章程》总纲", "body": "请按期完成", "url": f"/plans/{activity_id}",
                   "tag": "study-1", "kind": "study"}
        cdp.send("ServiceWorker.deliverPushMessage", {"origin": live_server.url, "registrationId": registration,
                                                      "data": json.dumps(payload, ensure_ascii=False)})
        page.evaluate(WAIT_FOR_NOTIFICATION_JS)
        worker = context.service_workers[0]
        page.close()  # the app is closed; the worker stays
        opened = worker.evaluate("""() => {
            self.clients.openWindow = (url) => { self.__opened = url; return Promise.resolve(null); };
            return self.registration.getNotifications().then(ns => {
                self.dispatchEvent(new NotificationEvent("notificationclick", {notification: ns[0]}));
                return new Promise(resolve => setTimeout(() => resolve(self.__opened || null), 500));
            });
        }""")
        assert opened == live_server.url + f"/plans/{activity_id}"
    finally:
        context.close()
