/* The log: filter signed records by site, dates, inspector and verdict; page by cursor. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { api, t, el, formatTime } = window.ansim;
  const form = document.getElementById("filters"), list = document.getElementById("records");
  const more = document.getElementById("more");
  let cursor = null;

  api("GET", "/api/sites").then((data) => {
    for (const s of data.sites) form.elements.site_id.append(el("option", { value: s.id, text: s.name }));
  }).catch(() => {});

  function query(extra) {
    const params = new URLSearchParams();
    for (const name of ["site_id", "since", "until", "inspector", "verdict"]) {
      if (form.elements[name].value) params.set(name, form.elements[name].value);
    }
    for (const [k, v] of Object.entries(extra || {})) params.set(k, v);
    return params.toString();
  }

  async function load(append) {
    const data = await api("GET", "/api/log?" + query(append && cursor ? { before: cursor } : {}));
    if (!append) list.replaceChildren();
    for (const r of data.records) {
      const title = r.type === "correction" ? t("web.js.correction") : (r.site_name || r.site_id);
      const verdict = r.verdict ? t("web.js.verdict." + r.verdict) : t("web.js.state." + r.status);
      list.append(el("li", {}, el("a", { href: "/log/" + encodeURIComponent(r.id) },
        el("div", { class: "row" }, el("strong", { text: title || r.site_id || "" }), el("span", { class: "pill " + (r.verdict || ""), text: verdict }),
          r.presence === "weak" || r.presence === "none" ? el("span", { class: "pill flagged", text: "⚑ " + t("web.js.presence." + r.presence) }) : ""),
        el("div", { class: "hint", text: [r.inspector, formatTime(r.signed_at), r.alert_count ? t("web.js.alert_count", { n: r.alert_count }) : ""].filter(Boolean).join(" · ") }))));
    }
    cursor = data.next;
    more.hidden = !cursor;
    document.getElementById("empty").hidden = list.children.length > 0;
    const q = query();
    document.getElementById("export-csv").href = "/api/log/export.csv" + (q ? "?" + q : "");
    document.getElementById("export-json").href = "/api/log/export.json" + (q ? "?" + q : "");
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); load(false); });
  more.addEventListener("click", () => load(true));
  load(false);
});
