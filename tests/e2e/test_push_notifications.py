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


def _subscription_of(live_server, username):
    with live_server.app.app_context():
        from webapp.models import PushSubscription, User

        user = db.session.scalar(select(User).where(User.username == username))
        rows = list(db.session.scalars(select(PushSubscription).where(PushSubscription.user_id == user.id)))
        db.session.remove()
        return user.id, [row.endpoint for row in rows]


def test_a_rotated_subscription_reaches_the_server_through_the_service_worker(browser, live_server):
    """The browser replaces the subscription (pushsubscriptionchange with no new one): the worker
    subscribes again and posts the new endpoint with the old one; the server swaps them."""
    from webapp.models import PushSubscription

    old = "https://fcm.googleapis.com/fcm/send/e2e-rotated-old"
    new = "https://fcm.googleapis.com/fcm/send/e2e-rotated-new"
    user_id, _ = _subscription_of(live_server, "dangyuan")
    with live_server.app.app_context():
        db.session.add(PushSubscription(user_id=user_id, endpoint=old, p256dh="BOld", auth="old"))
        db.session.commit()
        db.session.remove()
    context, page = _controlled_page(browser, live_server)
    try:
        context.clear_cookies()  # the worker needs no session: the old endpoint identifies the device
        worker = context.service_workers[0]
        dispatched = worker.evaluate("""([oldEndpoint, newEndpoint]) => {
            self.registration.pushManager.subscribe = (options) => Promise.resolve({
                endpoint: newEndpoint,
                toJSON() { return {endpoint: newEndpoint, keys: {p256dh: "BNewKey", auth: "newAuth"}}; },
            });
            const event = new ExtendableEvent("pushsubscriptionchange");
            Object.defineProperty(event, "oldSubscription", {value: {endpoint: oldEndpoint,
                options: {applicationServerKey: new Uint8Array(65)}}});
            Object.defineProperty(event, "newSubscription", {value: null});
            return self.dispatchEvent(event);
        }""", [old, new])
        assert dispatched is True
        for _ in range(100):
            _, endpoints = _subscription_of(live_server, "dangyuan")
            if new in endpoints:
                break
            page.wait_for_timeout(50)
        assert endpoints == [new]
    finally:
        context.close()
        with live_server.app.app_context():
            db.session.query(PushSubscription).filter(PushSubscription.user_id == user_id).delete()
            db.session.commit()
            db.session.remove()


KNOWN_ONLY_BY_THE_BROWSER = """
PushManager.prototype.getSubscription = function () {
  return Promise.resolve({
    endpoint: "https://fcm.googleapis.com/fcm/send/e2e-dropped",
    toJSON() { return {endpoint: this.endpoint, keys: {p256dh: "BDropped", auth: "dropped"}}; },
    unsubscribe() { return Promise.resolve(true); },
  });
};
"""


def test_the_page_reposts_a_subscription_the_server_dropped(browser, live_server):
    """The server removed the subscription (the push service answered 410) while the browser kept it:
    the page does not claim "已开启" on the browser's word, it posts the subscription again."""
    context = browser.new_context(**DESKTOP)
    context.grant_permissions(["notifications"], origin=live_server.url)
    context.add_init_script(KNOWN_ONLY_BY_THE_BROWSER)
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "dangyuan")
        page.goto(live_server.url + "/me")
        page.locator("[data-push-device-id]").first.wait_for()  # re-posted, then listed after a reload
        page.get_by_text("本设备已开启通知。").wait_for()
        _, endpoints = _subscription_of(live_server, "dangyuan")
        assert endpoints == ["https://fcm.googleapis.com/fcm/send/e2e-dropped"]
    finally:
        context.close()
        with live_server.app.app_context():
            from webapp.models import PushSubscription

            db.session.query(PushSubscription).filter(
                PushSubscription.endpoint == "https://fcm.googleapis.com/fcm/send/e2e-dropped").delete()
            db.session.commit()
            db.session.remove()
