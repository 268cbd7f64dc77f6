/* Live page: a calm status of the inspection under way (its site, how far it is, its alerts
   with their times, and its end), and for staff the day's worklist. Volunteers get the same
   page without links into the inspection; the server sends them no frequency and no images.
   Everything shown comes from /api/inspections/current, fetched again whenever the event
   stream says something changed, so replaced alerts go and dismissed ones show their note. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { api, t, el, liveEvents, formatTime, placeName } = window.ansim;
  const $ = (id) => document.getElementById(id);
  let currentId = null, seen = new Set(), firstLoad = true;

  function showInspection(info) {
    currentId = info.inspection_id;
    $("current-none").hidden = true;
    $("current-box").hidden = false;
    $("current-site").textContent = info.site_name || info.site_id;
    const ended = info.state !== "in_progress";
    const percent = Math.round(100 * (ended ? 1 : info.done_fraction || 0));
    $("progress-bar").style.width = percent + "%";
    $("progress").setAttribute("aria-valuenow", String(percent));
    const link = $("current-link");
    if (link) link.href = "/inspections/" + encodeURIComponent(currentId);
    if (ended) {
      $("progress-text").textContent = "";
      showEnd(info.state, info.verdict, info.ended_at);
    } else {
      $("ended").hidden = true;
      $("current-title").textContent = t("web.js.live_current");
      $("progress-text").textContent = t("web.js.live_done", { percent }) +
        (info.step ? " · " + t("web.js.step." + info.step) + (info.zone ? " · " + placeName(info.zone) : "") : "");
    }
  }

  function showEnd(state, verdict, at) {
    const box = $("ended");
    box.hidden = false;
    box.className = "ended " + (verdict || "");
    box.textContent = t("web.js.live_ended", { time: formatTime(at || new Date().toISOString(), true),
      result: verdict ? t("web.js.verdict." + verdict) : t("web.js.state." + state) });
    $("current-title").textContent = t("web.js.live_last");
    $("progress-bar").style.width = "100%";
    $("progress-text").textContent = "";
  }

  function alertItem(a) {
    const fresh = !firstLoad && !seen.has(a.id);
    const where = a.stall ? t("web.js.stall", { n: a.stall }) + (a.zone ? " " + placeName(a.zone) : "") : "";
    const item = el("li", { class: "alert " + (a.severity || "") + (a.dismissed ? " dismissed" : "") + (fresh ? " fresh" : ""), "data-alert": a.id },
      el("div", { class: "row" }, el("span", { class: "severity", text: t("web.js.severity." + a.severity) }),
        el("time", { class: "when", text: formatTime(a.raised_at, true) })),
      el("strong", { text: a.message || t("web.js.alert") }));
    if (where && !(a.message || "").includes(placeName(a.zone))) item.append(el("div", { class: "where", text: where }));
    if (a.dismissed) item.append(el("div", { class: "note", text: t("web.js.live_dismissed", { reason: a.dismissed.reason, time: formatTime(a.dismissed.at, true) }) }));
    if (fresh && !a.dismissed && navigator.vibrate) navigator.vibrate([300, 100, 300]);
    return item;
  }

  async function loadCurrent() {
    const current = await api("GET", "/api/inspections/current").catch(() => null);
    if (!current || !current.inspection) return;
    showInspection({ ...current.inspection, ...(current.running || {}) });
    $("alerts-none").hidden = current.alerts.length > 0;
    $("alerts").replaceChildren(...current.alerts.map(alertItem));
    seen = new Set(current.alerts.map((a) => a.id));
    firstLoad = false;
    document.body.dataset.liveLoaded = String(Date.now());
  }
  loadCurrent();

  liveEvents({
    open: loadCurrent,
    inspection: (e) => {
      /* The end shows from the event itself, at once; the fetch then fills in the rest. */
      if (e.inspection_id === currentId && ["signed_off", "cancelled", "interrupted"].includes(e.event)) {
        showEnd(e.event === "signed_off" ? "signed_off" : e.event, e.verdict, null);
      }
      loadCurrent();
    },
    progress: (p) => {
      if (p.inspection_id !== currentId) return;
      const share = typeof p.fraction === "number" ? " " + Math.round(p.fraction * 100) + "%" : "";
      $("progress-text").textContent = t("web.js.step." + p.step) + share + (p.zone ? " · " + (p.stall ? t("web.js.stall", { n: p.stall }) + " " : "") + placeName(p.zone) : "");
    },
    alert: loadCurrent,
  });

  if (!$("start-form")) return;
  loadWorklist();

  async function loadWorklist() {
    const work = await api("GET", "/api/worklist");
    $("work-none").hidden = work.due.length > 0;
    $("due").replaceChildren(...work.due.map((s) => {
      const b = el("button", { type: "button", class: "work-item" + (s.done ? " done" : ""), "data-site": s.site_id },
        el("strong", { text: s.name }),
        el("span", { class: "hint", text: [s.stalls ? t("web.js.stalls_n", { n: s.stalls }) : "", t("web.js.schedule." + s.schedule),
          s.done ? t("web.js.done", { time: formatTime(s.last_signed_at, true) }) : s.last_signed_at ? t("web.js.last_done", { time: formatTime(s.last_signed_at) }) : t("web.js.never_done")].filter(Boolean).join(" · ") }));
      b.disabled = s.done;
      b.addEventListener("click", () => start(s.site_id, b));
      return el("li", {}, b);
    }));
    $("site-select").replaceChildren(...work.sites.map((s) => el("option", { value: s.site_id, text: s.name })));
    $("mine-none").hidden = work.mine.length > 0;
    $("mine").replaceChildren(...work.mine.map((r) => el("li", {}, el("a", { href: "/inspections/" + encodeURIComponent(r.id) },
      el("div", { class: "row" }, el("strong", { text: r.site_name || r.site_id }),
        el("span", { class: "pill " + (r.verdict || ""), text: r.verdict ? t("web.js.verdict." + r.verdict) : t("web.js.state." + r.status) })),
      el("div", { class: "hint", text: [r.record_number, formatTime(r.updated_at)].filter(Boolean).join(" · ") })))));
  }

  async function start(siteId, button) {
    button.disabled = true;
    $("start-error").hidden = true;
    try {
      const started = await api("POST", "/api/inspections", { site_id: siteId });
      location.href = "/inspections/" + encodeURIComponent(started.id);
    } catch (error) {
      $("start-error").textContent = (error.data && error.data.message) || t("web.js.failed");
      $("start-error").hidden = false;
      button.disabled = false;
    }
  }
  $("start-form").addEventListener("submit", (event) => { event.preventDefault(); start($("site-select").value, $("start-button")); });
});
