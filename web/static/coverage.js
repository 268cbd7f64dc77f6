/* Coverage on a day (in the city's zone, shown): sites due versus done, as a bar and a list
   of sites with their schedule, state and last verdict (one card per site: a table's narrow
   columns wrapped a word per line on a phone). */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { api, t, el, formatTime } = window.ansim;
  const $ = (id) => document.getElementById(id);

  function bar(done, due) {
    const svg = $("coverage-bar"), ns = "http://www.w3.org/2000/svg";
    const rect = (x, w, fill) => { const r = document.createElementNS(ns, "rect"); r.setAttribute("x", x); r.setAttribute("y", 5); r.setAttribute("width", w); r.setAttribute("height", 30); r.setAttribute("fill", fill); r.setAttribute("rx", 4); return r; };
    const share = due ? done / due : 1;
    svg.replaceChildren(rect(0, 300, "#2c4057"), rect(0, 300 * share, "#46a758"));
  }

  async function load(day) {
    const data = await api("GET", "/api/coverage" + (day ? "?date=" + day : ""));
    $("day").value = data.date;
    $("zone-note").textContent = t("web.js.coverage_zone", { zone: document.body.dataset.timezone });
    bar(data.done, data.due);
    $("summary").textContent = t("web.js.coverage_summary", { done: data.done, due: data.due, extra: data.done_unscheduled });
    $("sites").replaceChildren(...data.sites.map((s) => el("li", { class: s.done ? "done" : s.due ? "due" : "" },
      el("div", { class: "row" }, el("strong", { text: s.name }),
        el("span", { class: "pill " + (s.done ? "clear" : s.due ? "found" : ""), text: s.done ? t("web.js.done", { time: formatTime(s.last_signed_at, true) }) : s.due ? t("web.js.due") : t("web.js.not_due") })),
      el("div", { class: "hint", text: [s.schedule ? t("web.js.schedule." + s.schedule) : t("web.js.no_schedule"),
        s.last_signed_at ? t("web.js.last_done", { time: formatTime(s.last_signed_at) }) : t("web.js.never_done"),
        s.last_verdict ? t("web.js.verdict." + s.last_verdict) : ""].filter(Boolean).join(" · ") }))));
  }

  $("day-form").addEventListener("submit", (event) => { event.preventDefault(); load($("day").value); });
  load(null);
});
