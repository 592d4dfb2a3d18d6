// A meeting recorded in two minutes (pages only; works offline): "全部出席" then untick, a live
// count 应到 / 实到 / 请假 / 缺席, a leave reason asked only beside those not ticked, the date and
// times shown the Chinese way, and a warning (never a block) when the meeting ends in the future.
(function (root) {
  "use strict";
  var doc = root.document;
  if (!doc) return;
  var WEEK = ["日", "一", "二", "三", "四", "五", "六"];

  function rows(form) { return Array.prototype.slice.call(form.querySelectorAll("[data-attend-row]")); }

  function refresh(form) {
    var present = 0, leave = 0, absent = 0, all = rows(form);
    all.forEach(function (row) {
      var box = row.querySelector("input[type=checkbox]");
      var reason = row.querySelector("[data-attend-reason]");
      var text = reason && reason.querySelector("input");
      if (box.checked) { present += 1; if (reason) reason.hidden = true; return; }
      if (reason) reason.hidden = false;
      if (text && text.value.trim()) leave += 1; else absent += 1;
    });
    function put(sel, n) { var el = form.querySelector(sel); if (el) el.textContent = String(n); }
    put("[data-count-expected]", all.length);
    put("[data-count-present]", present);
    put("[data-count-leave]", leave);
    put("[data-count-absent]", absent);
  }

  function setAll(form, checked) {
    rows(form).forEach(function (row) { row.querySelector("input[type=checkbox]").checked = checked; });
    refresh(form);
  }

  // "2026-11-30" → "2026年11月30日（周一）" (a calendar date, no time zone involved).
  function chineseDay(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
    if (!m) return "";
    var day = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return m[1] + "年" + (+m[2]) + "月" + (+m[3]) + "日（周" + WEEK[day.getUTCDay()] + "）";
  }

  // Today and the time now in China (UTC+8), whatever the phone's own zone.
  function chinaNow() {
    var t = new Date(Date.now() + 8 * 3600 * 1000);
    var iso = t.toISOString();
    return { day: iso.slice(0, 10), time: iso.slice(11, 16) };
  }

  function when(form) {
    var out = form.querySelector("[data-when-output]");
    var day = form.querySelector("#occurred_on"), start = form.querySelector("#start_time"), end = form.querySelector("#end_time");
    if (!out || !day) return;
    var text = chineseDay(day.value);
    if (start && start.value) text += " " + start.value + (end && end.value ? "—" + end.value : "");
    out.textContent = text;
    var warn = form.querySelector("[data-future-warning]");
    if (!warn) return;
    var now = chinaNow();
    var future = day.value > now.day || (day.value === now.day && end && end.value && end.value > now.time);
    warn.hidden = !future;
    warn.textContent = future ? "提示：结束时间还没到（现在是 " + now.time + "）。会议结束后再保存更准确；也可以现在保存。" : "";
  }

  doc.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-attendance-all],[data-attendance-none]");
    if (!button) return;
    var form = button.closest("form");
    if (form) setAll(form, button.hasAttribute("data-attendance-all"));
  });

  doc.addEventListener("input", function (event) {
    var form = event.target.form;
    if (!form) return;
    if (form.querySelector("[data-attendance-form]")) refresh(form);
    if (form.querySelector("[data-when-output]")) when(form);
  });
  doc.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.querySelector("[data-attendance-form]")) refresh(form);
  });

  function start() {
    Array.prototype.forEach.call(doc.querySelectorAll("form"), function (form) {
      if (form.querySelector("[data-attendance-form]")) refresh(form);
      if (form.querySelector("[data-when-output]")) when(form);
    });
  }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
  doc.addEventListener("htmx:load", function (event) { if (event.target === doc.body) start(); });
})(globalThis);
