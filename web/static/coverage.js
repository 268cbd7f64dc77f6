/* Today's coverage: sites due versus done, as a bar and a table. */
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
    bar(data.done, data.due);
    $("summary").textContent = t("web.js.coverage_summary", { done: data.done, due: data.due, extra: data.done_unscheduled });
    $("sites").replaceChildren(...data.sites.map((s) => el("tr", {},
      el("td", { text: s.name }), el("td", { text: s.schedule ? t("web.js.schedule." + s.schedule) : "—" }),
      el("td", { class: s.done ? "ok" : s.due ? "error" : "", text: s.done ? t("web.js.done", { time: formatTime(s.last_signed_at) }) : s.due ? t("web.js.due") : t("web.js.not_due") }))));
  }

  $("day-form").addEventListener("submit", (event) => { event.preventDefault(); load($("day").value); });
  load(null);
});
