/* The inspection page, built to lead one hand step by step: "now" says what to do next and
   the sticky bar at the bottom does it (RF sweep, scan every place, mark the rest checked,
   verdict, sign-off); alerts, the found-camera procedure, the spectrum and proximity, the
   Wi-Fi transmitters (with their own proximity meter), the findings and the checklist sit
   above it in the order they are needed. State comes from
   /api/inspections/<id>; the event stream says when to fetch it again and carries the live
   readings. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { api, t, el, liveEvents, formatTime, placeName } = window.ansim;
  const { SpectrumPlot, proximityMeter, glintOverlay } = window.ansimPlots;
  const ask = window.ansimAsk;
  const $ = (id) => document.getElementById(id);
  const root = $("inspection"), id = root.dataset.id;
  const items = root.dataset.items.split(","), statuses = root.dataset.statuses.split(",");
  const base = "/api/inspections/" + encodeURIComponent(id);
  const spectrum = new SpectrumPlot($("spectrum"), JSON.parse($("spectrum").dataset.plot));
  const meter = proximityMeter($("meter"));
  const wifiMeter = proximityMeter($("wifi-meter"));
  const canFollow = ["inspector", "admin"].includes(document.body.dataset.role);
  const heard = new Map();  // MAC -> the newest survey's view of that transmitter
  let state = null, running = null, chosenVerdict = null, shownSweep = null, busy = false;

  async function call(path, body, errorBox) {
    errorBox.hidden = true;
    try {
      const data = await api("POST", base + path, body);
      if (data.inspection) render(data.inspection, running);
      return data;
    } catch (error) {
      const detail = error.data || {};
      errorBox.textContent = (detail.reasons && detail.reasons.join(" · ")) || detail.message || t("web.js.failed");
      errorBox.hidden = false;
      return null;
    }
  }

  function evidenceUrl(sha) { return "/api/evidence/" + sha + "?inspection=" + encodeURIComponent(id); }
  const where = (stall, zone) => t("web.js.stall", { n: stall }) + " · " + placeName(zone);
  const standing = (a) => !a.dismissed && a.severity !== "info";
  const isFound = (s) => s.verdict === "found" || s.alerts.some((a) => standing(a) && a.confirmed && ["high", "critical"].includes(a.severity));

  /* Places scanned with nothing standing there and no mark yet: marking them checked is what
     the inspector would do one by one, so one tap does it (places with findings stay theirs). */
  function restToMark(s) {
    const marked = new Set(s.checklist.map((m) => m.stall + ":" + m.item));
    const unscanned = new Set(s.coverage.missing_scans.map((p) => p.stall + ":" + p.item));
    const flagged = new Set(s.alerts.filter((a) => standing(a) && a.zone).map((a) => a.stall + ":" + a.zone));
    const rest = [];
    for (let stall = 1; stall <= s.stalls; stall++) {
      for (const item of items) {
        const key = stall + ":" + item;
        if (!marked.has(key) && !unscanned.has(key) && !flagged.has(key)) rest.push({ stall, item });
      }
    }
    return rest;
  }

  function nextStep(s) {
    const c = s.coverage;
    if (s.status !== "in_progress") return { text: t("web.js.next.ended"), action: null };
    if (running) return { text: t("web.js.next.wait"), action: null };
    if (!c.rf_swept) return { text: t("web.js.next.rf"), action: "rf", label: t("web.js.bar.rf") };
    if (c.missing_scans.length) return { text: t("web.js.next.scan", { n: c.missing_scans.length }), action: "scan", label: t("web.js.bar.scan") };
    const rest = restToMark(s);
    if (rest.length) return { text: t("web.js.next.mark_rest", { n: rest.length }), action: "rest", label: t("web.js.bar.mark_rest", { n: rest.length }) };
    if (c.missing_marks.length) return { text: t("web.js.next.mark_findings", { n: c.missing_marks.length }), action: "checklist", label: t("web.js.bar.checklist") };
    if (!s.verdict) return { text: t("web.js.next.verdict"), action: "verdict", label: t("web.js.bar.verdict") };
    return { text: t("web.js.next.sign"), action: "sign", label: t("web.js.bar.sign") };
  }

  function render(inspection, nowRunning) {
    state = inspection;
    running = nowRunning || null;
    $("site-name").textContent = inspection.site.name || inspection.site.id;
    $("status").textContent = t("web.js.state." + inspection.status);
    $("status").className = "pill " + (inspection.verdict || "");
    const open = inspection.status === "in_progress";
    for (const b of document.querySelectorAll("[data-needs-open]")) b.disabled = !open || Boolean(running);
    const c = inspection.coverage, places = inspection.stalls * items.length;
    const done = (c.rf_swept ? 1 : 0) + places - c.missing_scans.length + places - c.missing_marks.length;
    $("progress-bar").style.width = Math.round(100 * done / (1 + 2 * places)) + "%";
    if (running) showRunning(running.step, null, running.stall, running.zone);
    else { $("running").textContent = ""; $("point-at").hidden = true; }
    renderAlerts(inspection.alerts);
    renderFound(inspection);
    renderRf(inspection.steps.filter((s) => s.kind === "rf_sweep").pop());
    renderFindings(inspection.steps.filter((s) => s.kind === "optical_scan"));
    for (const step of inspection.steps.filter((s) => s.kind === "wifi_survey")) heardIn(step.transmitters);
    renderWifi();
    renderChecklist(inspection);
    const verdict = chosenVerdict || inspection.verdict;
    for (const b of document.querySelectorAll("[data-verdict]")) b.setAttribute("aria-pressed", String(b.dataset.verdict === verdict));
    if (inspection.escalation) {
      const form = $("verdict-form");
      if (document.activeElement !== form.elements.notified) form.elements.notified.value = inspection.escalation.notified || "";
      if (document.activeElement !== form.elements.report_ref) form.elements.report_ref.value = inspection.escalation.report_ref || "";
    }
    if (!open) {
      $("signed").hidden = false;
      $("signed").textContent = t("web.js.signed", { state: t("web.js.state." + inspection.status), id: inspection.record_number || "" });
    }
    const next = nextStep(inspection);
    $("next-step").textContent = next.text;
    $("bar-verdict").textContent = inspection.verdict ? t("web.js.verdict." + inspection.verdict) : t("web.js.no_verdict");
    $("bar-verdict").className = "pill " + (inspection.verdict || "");
    const bar = $("bar-action");
    bar.hidden = !next.action;
    bar.textContent = next.label || "";
    bar.dataset.action = next.action || "";
    bar.className = next.action === "sign" ? "danger" : "primary";
    bar.disabled = busy;
    const rest = restToMark(inspection);
    $("mark-rest").hidden = !open || !rest.length;
    $("mark-rest").textContent = t("web.js.bar.mark_rest", { n: rest.length });
  }

  function showRunning(step, fraction, stall, zone) {
    const share = typeof fraction === "number" ? " " + Math.round(fraction * 100) + "%" : "";
    $("running").textContent = t("web.js.running", { step: t("web.js.step." + step) }) + share + (zone && zone !== "rf_sweep" ? " · " + where(stall || 1, zone) : "");
    if (step === "rf_sweep") $("rf-summary").textContent = t("web.js.rf_running", { percent: typeof fraction === "number" ? Math.round(fraction * 100) : 0 });
  }

  /* The Wi-Fi place check, after a stall's last place when a stream answered the stall's
     code: the rings blink dimmed at one place at a time, and the inspector points the
     handheld there for the seconds given. Shown (with a short buzz) until the step ends;
     ``data-prompted`` keeps every place asked for, in order. */
  function showPointAt(e) {
    const box = $("point-at");
    box.textContent = t("web.js.point_at", { place: where(e.stall || 1, e.zone), seconds: Math.round(e.seconds) });
    box.hidden = false;
    box.dataset.prompted = [box.dataset.prompted, (e.stall || 1) + ":" + e.zone].filter(Boolean).join(",");
    if (navigator.vibrate) navigator.vibrate(150);
  }

  function renderAlerts(alerts) {
    $("alerts-none").hidden = alerts.length > 0;
    const open = state && state.status === "in_progress";
    $("alerts").replaceChildren(...alerts.map((a) => {
      const facts = [a.stall ? where(a.stall, a.zone) : "", a.freq_hz ? (a.freq_hz / 1e6).toFixed(1) + " MHz" : "", formatTime(a.raised_at, true)];
      const item = el("li", { class: "alert " + a.severity + (a.dismissed ? " dismissed" : ""), "data-alert": a.id },
        el("div", { class: "row" }, el("span", { class: "severity", text: t("web.js.severity." + a.severity) })),
        el("strong", { text: a.message || t("web.js.alert") }),
        el("div", { class: "when", text: facts.filter(Boolean).join(" · ") }));
      if (a.dismissed) item.append(el("div", { class: "note", text: t("web.js.dismissed", { by: a.dismissed.by, reason: a.dismissed.reason }) + " · " + formatTime(a.dismissed.at, true) }));
      else if (open && a.severity !== "info") item.append(dismissButtons(a));
      return item;
    }));
  }

  /* An inspector who has looked and found no camera says what it is; an IR glow may be one of
     the restroom's own lights, which the site then remembers. Both are recorded in the log. */
  function dismissButtons(alert) {
    const row = el("div", { class: "buttons" });
    const choices = [[t("web.js.dismiss"), false]];
    if (alert.type === "ir_emitter") choices.push([t("web.js.dismiss_fixture"), true]);
    for (const [label, asFixture] of choices) {
      const b = el("button", { type: "button", "data-dismiss": asFixture ? "fixture" : "alert" });
      b.textContent = label;
      b.addEventListener("click", async () => {
        const reason = await ask({ title: label, text: alert.message, withReason: true, ok: t("web.js.dismiss_ok") });
        if (reason) call("/alerts/" + encodeURIComponent(alert.id) + "/dismiss", { reason, as_fixture: asFixture }, $("step-error"));
      });
      row.append(b);
    }
    return row;
  }

  function renderFound(inspection) {
    const show = isFound(inspection);
    $("found-card").hidden = !show;
    const done = new Map(((inspection.escalation || {}).procedure || []).map((d) => [d.step, d]));
    for (const b of document.querySelectorAll("[data-found-step]")) {
      const d = done.get(b.dataset.foundStep);
      b.setAttribute("aria-pressed", String(Boolean(d)));
      b.disabled = Boolean(d) || inspection.status !== "in_progress";
      b.querySelector("[data-done-at]").textContent = d ? t("web.js.found_done", { time: formatTime(d.at, true) }) : "";
    }
  }

  function renderRf(step) {
    const peaks = state.alerts.filter((a) => a.freq_hz && ["video_transmitter", "camera_located"].includes(a.type)).map((a) => a.freq_hz);
    spectrum.markPeaks(peaks, t("web.js.camera_peak"));
    const sweeping = running && running.step === "rf_sweep";
    $("rf-card").classList.toggle("empty", !step && !sweeping);
    if (!step) { if (!sweeping) $("rf-summary").textContent = t("web.js.rf_not_run"); return; }
    const video = step.emitters.filter((e) => e.kind === "analog_video").length;
    $("rf-summary").textContent = t("web.js.rf_summary", { emitters: step.emitters.length, video });
    if (step.finished_at !== shownSweep) {
      shownSweep = step.finished_at;
      api("GET", base + "/spectrum").then((s) => spectrum.push(s)).catch(() => {});
    }
  }

  function renderFindings(scans) {
    const list = [];
    for (const scan of scans) {
      scan.findings.forEach((f) => {
        const label = where(scan.stall, scan.zone) + " · " + t("web.js.finding." + f.kind) +
          (typeof f.confidence === "number" ? " " + Math.round(f.confidence * 100) + "%" : "");
        const item = el("li", { "data-stall": String(scan.stall), "data-zone": scan.zone }, el("strong", { text: label }));
        if (f.crop_sha256) item.append(el("img", { src: evidenceUrl(f.crop_sha256), alt: label, class: "crop", loading: "lazy" }));
        list.push(item);
      });
    }
    if (!list.length && scans.length) list.push(el("li", { class: "hint", text: t("web.js.no_findings") }));
    $("findings").replaceChildren(...list);
    if (!running || running.step !== "optical_scan") $("preview").hidden = true;
  }

  /* Every transmitter the surveys heard (each as its newest survey saw it): what it is, who
     made it, how loud, whether it answered the light, and whether the site knew it. Cameras
     and answers first; an inspector can point the proximity meter at any of them. */
  function heardIn(transmitters) { for (const tx of transmitters || []) heard.set(tx.mac, tx); }

  function wifiRank(tx) {
    const answered = tx.stimulus && tx.stimulus.responds;
    return [answered ? 0 : ["camera", "video_stream"].includes(tx.kind) ? 1 : tx.baseline && ["new", "stronger"].includes(tx.baseline.status) ? 2 : 3,
      -(typeof tx.rssi_dbm === "number" ? tx.rssi_dbm : -200)];
  }

  function renderWifi() {
    const list = [...heard.values()].sort((a, b) => {
      const [ra, rb] = [wifiRank(a), wifiRank(b)];
      return ra[0] - rb[0] || ra[1] - rb[1];
    });
    $("wifi-none").hidden = list.length > 0;
    const open = state && state.status === "in_progress";
    $("transmitters").replaceChildren(...list.map((tx) => {
      const answered = tx.stimulus && tx.stimulus.responds;
      const video = ["camera", "video_stream"].includes(tx.kind);
      const status = tx.baseline ? tx.baseline.status : "none";
      const place = answered && tx.stimulus.place ? where(tx.stimulus.place.stall, tx.stimulus.place.zone) : "";
      const tags = el("div", { class: "tags" },
        el("span", { class: "badge " + status, text: t("web.js.wifi.baseline." + status) }),
        el("span", { class: "badge" + (answered ? " responds" : ""), text: answered ? t("web.js.wifi.responds", { place }) : tx.stimulus ? t("web.js.wifi.silent") : t("web.js.wifi.untested") }));
      const item = el("li", { "data-mac": tx.mac, "data-kind": tx.kind, class: answered ? "responds" : video ? "video" : "" },
        el("strong", { text: t("web.js.wifi.kind." + tx.kind) + " · " + (tx.vendor || t("web.js.wifi.unknown_vendor")) }),
        el("div", { class: "hint", text: t("web.js.wifi.signal", { rssi: typeof tx.rssi_dbm === "number" ? tx.rssi_dbm.toFixed(0) : "?", channel: tx.channel || "?" }) }),
        el("div", { class: "mac", text: tx.mac }), tags);
      if (canFollow && open) {
        const follow = el("button", { type: "button", "data-follow": tx.mac, "data-needs-open": "" });
        follow.textContent = t("web.js.wifi.follow");
        follow.disabled = Boolean(running);
        follow.addEventListener("click", () => call("/steps", { step: "wifi_follow", mac: tx.mac }, $("step-error")).then(refresh));
        item.append(follow);
      }
      return item;
    }));
  }

  function showWifiProximity(reading) {
    $("wifi-meter-box").hidden = false;
    $("wifi-following").textContent = t("web.js.wifi.following", { mac: reading.mac });
    wifiMeter(reading);
  }

  function renderChecklist(inspection) {
    const marks = new Map(inspection.checklist.map((m) => [m.stall + ":" + m.item, m.status]));
    const unscanned = new Set(inspection.coverage.missing_scans.map((p) => p.stall + ":" + p.item));
    const findings = new Map();
    for (const a of inspection.alerts) {
      if (a.zone && a.severity !== "info") findings.set(a.stall + ":" + a.zone, (findings.get(a.stall + ":" + a.zone) || []).concat(a));
    }
    const open = inspection.status === "in_progress";
    const blocks = [];
    for (let stall = 1; stall <= inspection.stalls; stall++) {
      if (inspection.stalls > 1) blocks.push(el("h3", { text: t("web.js.stall", { n: stall }) }));
      const ul = el("ul", { class: "checklist" });
      for (const item of items) {
        const key = stall + ":" + item, found = findings.get(key) || [];
        const standingHere = found.filter((a) => !a.dismissed);
        const badge = standingHere.length ? el("span", { class: "badge bad", text: t("web.js.findings_here", { n: standingHere.length }) })
          : found.length ? el("span", { class: "badge", text: t("web.js.findings_dismissed", { n: found.length }) })
          : el("span", { class: "badge " + (unscanned.has(key) ? "todo" : "ok"), text: unscanned.has(key) ? t("web.js.not_scanned") : t("web.js.scanned_clean") });
        const seg = el("div", { class: "seg" });
        for (const status of statuses) {
          const b = el("button", { type: "button", "aria-pressed": String(marks.get(key) === status), "data-mark": status });
          b.textContent = t("web.js.mark." + status);
          b.disabled = !open;
          b.addEventListener("click", () => call("/marks", { stall, item, status }, $("step-error")));
          seg.append(b);
        }
        const scan = el("button", { type: "button", class: "scan", "data-needs-open": "", "data-scan": item });
        scan.textContent = unscanned.has(key) ? t("web.js.scan") : t("web.js.rescan");
        scan.disabled = !open || Boolean(running);
        scan.addEventListener("click", () => call("/steps", { step: "optical", stall, zone: item }, $("step-error")).then(refresh));
        ul.append(el("li", { "data-item": item, "data-stall": String(stall), class: standingHere.length ? "has-findings" : "" },
          el("div", { class: "row" }, el("strong", { text: placeName(item) }), badge, scan), seg));
      }
      blocks.push(ul);
    }
    $("checklist").replaceChildren(...blocks);
  }

  /* While a place is scanned (an "optics_status" event per frame): the suspects the pipeline
     is following, marked where they sit in the camera's frame. No picture is sent live (crops
     of findings come as evidence). A lens glints only in the frames lit on-axis, one in three,
     so its mark stays up for a few frames rather than blinking. */
  const HOLD_FRAMES = 3;
  let marked = { frame: -Infinity, suspects: [] };
  function showOptics(status) {
    if (status.suspects.length || status.frame - marked.frame > HOLD_FRAMES || status.frame < marked.frame) {
      marked = { frame: status.suspects.length ? status.frame : -Infinity, suspects: status.suspects };
    }
    $("preview").hidden = false;
    $("preview").style.aspectRatio = status.width + " / " + status.height;
    const marks = $("preview-marks");
    marks.dataset.frame = String(status.frame);
    marks.dataset.suspects = String(marked.suspects.length);
    glintOverlay(marks, status.width, status.height,
      marked.suspects.map(([x, y]) => ({ x, y, r: status.width / 25, confirmed: false })));
  }

  async function refresh() {
    const data = await api("GET", base);
    render(data.inspection, data.running);
  }

  async function markRest() {
    busy = true;
    try {
      for (const p of restToMark(state)) {
        if (!(await call("/marks", { stall: p.stall, item: p.item, status: "checked", note: "" }, $("step-error")))) break;
      }
    } finally { busy = false; render(state, running); }
  }

  async function signOff() {
    const answer = await ask({ title: t("web.js.sign_title"), text: t("web.js.confirm_sign_off"), withReason: false, ok: t("web.js.bar.sign") });
    if (answer !== null) call("/sign-off", {}, $("sign-error"));
  }

  function saveVerdict() {
    const form = $("verdict-form");
    return call("/verdict", { verdict: chosenVerdict || (state && state.verdict), notified: form.elements.notified.value,
      report_ref: form.elements.report_ref.value }, $("verdict-error"));
  }

  const actions = {
    rf: () => call("/steps", { step: "rf" }, $("step-error")).then(refresh),
    scan: () => call("/steps", { step: "optical_all" }, $("step-error")).then(refresh),
    rest: markRest,
    checklist: () => document.querySelector("#checklist li.has-findings, #checklist li")?.scrollIntoView({ block: "center" }),
    verdict: () => $("verdict-card").scrollIntoView({ block: "start" }),
    sign: signOff,
  };
  $("bar-action").addEventListener("click", () => { const act = actions[$("bar-action").dataset.action]; if (act) act(); });
  $("run-rf").addEventListener("click", actions.rf);
  $("run-optical-all").addEventListener("click", actions.scan);
  $("mark-rest").addEventListener("click", markRest);
  for (const b of document.querySelectorAll("[data-verdict]")) {
    b.addEventListener("click", () => {
      chosenVerdict = b.dataset.verdict;
      for (const other of document.querySelectorAll("[data-verdict]")) other.setAttribute("aria-pressed", String(other === b));
    });
  }
  for (const b of document.querySelectorAll("[data-found-step]")) {
    b.addEventListener("click", () => call("/found-steps", { step: b.dataset.foundStep }, $("step-error")));
  }
  $("verdict-form").addEventListener("submit", (event) => { event.preventDefault(); saveVerdict(); });
  $("sign-off").addEventListener("click", signOff);

  const mine = (e) => !e.inspection_id || e.inspection_id === id;
  liveEvents({
    open: refresh,
    inspection: (e) => {
      if (!mine(e)) return;
      if (e.event === "step_failed") { $("step-error").textContent = e.message || t("web.js.failed"); $("step-error").hidden = false; }
      refresh();
    },
    progress: (e) => { if (mine(e)) showRunning(e.step, e.fraction, e.stall, e.zone); },
    alert: (e) => { if (mine(e)) { refresh(); if (navigator.vibrate) navigator.vibrate([300, 100, 300]); } },
    spectrum: (e) => { if (mine(e)) { $("rf-card").classList.remove("empty"); spectrum.show(e); } },
    optics_status: (e) => { if (mine(e)) showOptics(e); },
    wifi_place_check: (e) => { if (mine(e)) showPointAt(e); },
    proximity: (e) => {
      if (!mine(e)) return;
      if (e.mac) { showWifiProximity(e); return; }
      $("rf-card").classList.remove("empty"); $("meter-box").hidden = false; meter(e);
    },
    wifi: (e) => { if (mine(e)) { heardIn(e.transmitters); renderWifi(); } },
  });
});
