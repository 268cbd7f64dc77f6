/* Live page: the inspection under way, its alerts as they happen, and (staff) starting one.
   Volunteers get the same page without links into the inspection: the server sends them
   only alerts and progress. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { api, t, el, liveEvents, formatTime } = window.ansim;
  const $ = (id) => document.getElementById(id);
  let currentId = null;

  function showInspection(info) {
    if (!info || !info.inspection_id) return;
    currentId = info.inspection_id;
    $("current-none").hidden = true;
    $("current-box").hidden = false;
    if (info.site_name || info.site_id) $("current-site").textContent = info.site_name || info.site_id;
    if (info.state) {
      $("current-state").textContent = t("web.js.state." + info.state);
      $("current-state").className = "pill " + (info.verdict || "");
    }
    const link = $("current-link");
    if (link) link.href = "/inspections/" + encodeURIComponent(currentId);
  }

  function showProgress(p) {
    showInspection(p);
    /* done_fraction: the whole inspection (from /api/inspections/current); fraction: the
       step under way (progress events). */
    if (typeof p.done_fraction === "number") $("progress-bar").style.width = Math.round(p.done_fraction * 100) + "%";
    const where = p.zone ? t("web.js.zone." + p.zone) : "";
    const share = typeof p.fraction === "number" ? Math.round(p.fraction * 100) + "%" : "";
    $("progress-text").textContent = [p.step ? t("web.js.step." + p.step) : "", share, where].filter(Boolean).join(" · ");
  }

  function addAlert(a, fresh) {
    $("alerts-none").hidden = true;
    const item = el("li", { class: "alert " + (a.severity || "") + (fresh ? " fresh" : "") },
      el("strong", { text: a.message || t("web.js.alert") }),
      el("div", { class: "when", text: [a.zone ? t("web.js.zone." + a.zone) : "", formatTime(a.at)].filter(Boolean).join(" · ") }));
    $("alerts").prepend(item);
    if (fresh && navigator.vibrate) navigator.vibrate([300, 100, 300]);
  }

  function loadCurrent() {
    api("GET", "/api/inspections/current").then((current) => {
      if (!current.inspection) return;
      showInspection(current.inspection);
      showProgress(current.inspection);
      $("alerts").replaceChildren();
      for (const a of current.alerts.slice().reverse()) addAlert(a, false);
    }).catch(() => {});
  }
  loadCurrent();

  liveEvents({
    inspection: (e) => { if (e.inspection_id !== currentId || e.event === "signed_off") loadCurrent(); else showInspection(e); },
    progress: showProgress,
    alert: (a) => { showInspection(a); addAlert(a, true); },
  });

  const form = $("start-form");
  if (!form) return;
  api("GET", "/api/sites").then((data) => {
    for (const site of data.sites) $("site-select").append(el("option", { value: site.id, text: site.name + " (" + site.id + ")" }));
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    $("start-button").disabled = true;
    try {
      const started = await api("POST", "/api/inspections", { site_id: $("site-select").value });
      location.href = "/inspections/" + encodeURIComponent(started.id);
    } catch (error) {
      $("start-error").textContent = (error.data && error.data.message) || t("web.js.failed");
      $("start-error").hidden = false;
      $("start-button").disabled = false;
    }
  });
});
