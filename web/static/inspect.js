/* The inspection page: run the steps, watch the spectrum, proximity and findings, tick the
   checklist, give the verdict, sign off. State comes from /api/inspections/<id>; the event
   stream says when to fetch it again and carries the live readings. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { api, t, el, liveEvents, formatTime } = window.ansim;
  const { SpectrumPlot, proximityMeter, glintOverlay } = window.ansimPlots;
  const $ = (id) => document.getElementById(id);
  const root = $("inspection"), id = root.dataset.id;
  const items = root.dataset.items.split(","), statuses = root.dataset.statuses.split(",");
  const base = "/api/inspections/" + encodeURIComponent(id);
  const spectrum = new SpectrumPlot($("spectrum"));
  const meter = proximityMeter($("meter"));
  let state = null, chosenVerdict = null, shownSweep = null;

  async function call(path, body, errorBox) {
    errorBox.hidden = true;
    try {
      const data = await api("POST", base + path, body);
      if (data.inspection) render(data.inspection, data.running);
      return data;
    } catch (error) {
      const detail = error.data || {};
      errorBox.textContent = (detail.reasons && detail.reasons.join(" · ")) || detail.message || t("web.js.failed");
      errorBox.hidden = false;
      return null;
    }
  }

  function evidenceUrl(sha) { return "/api/evidence/" + sha + "?inspection=" + encodeURIComponent(id); }

  function render(inspection, running) {
    state = inspection;
    $("site-name").textContent = inspection.site.name || inspection.site.id;
    $("status").textContent = t("web.js.state." + inspection.status);
    $("status").className = "pill " + (inspection.verdict || "");
    const open = inspection.status === "in_progress";
    for (const b of document.querySelectorAll("[data-needs-open]")) b.disabled = !open || Boolean(running);
    const c = inspection.coverage, places = inspection.stalls * items.length;
    const done = (c.rf_swept ? 1 : 0) + places - c.missing_scans.length + places - c.missing_marks.length;
    $("progress-bar").style.width = Math.round(100 * done / (1 + 2 * places)) + "%";
    $("running").textContent = running ? t("web.js.running", { step: t("web.js.step." + running.step) }) +
      (running.zone ? " · " + t("web.js.zone." + running.zone) + (inspection.stalls > 1 ? " #" + running.stall : "") : "") : "";
    renderAlerts(inspection.alerts);
    renderRf(inspection.steps.filter((s) => s.kind === "rf_sweep").pop());
    renderFindings(inspection.steps.filter((s) => s.kind === "optical_scan"));
    renderChecklist(inspection);
    for (const b of document.querySelectorAll("[data-verdict]")) b.setAttribute("aria-pressed", String(b.dataset.verdict === (chosenVerdict || inspection.verdict)));
    if (inspection.escalation) {
      const form = $("verdict-form");
      form.elements.notified.value = inspection.escalation.notified || "";
      form.elements.report_ref.value = inspection.escalation.report_ref || "";
    }
    if (inspection.status !== "in_progress") {
      $("signed").hidden = false;
      $("signed").textContent = t("web.js.signed", { state: t("web.js.state." + inspection.status), id: inspection.record_id || "" });
    }
  }

  function renderAlerts(alerts) {
    $("alerts-none").hidden = alerts.length > 0;
    const open = state && state.status === "in_progress";
    $("alerts").replaceChildren(...alerts.map((a) => el("li", { class: "alert " + a.severity },
      el("strong", { text: a.message || t("web.js.alert") }),
      el("div", { class: "when", text: [a.zone ? t("web.js.zone." + a.zone) : "", a.freq_hz ? (a.freq_hz / 1e6).toFixed(1) + " MHz" : "",
        t("web.js.severity." + a.severity)].filter(Boolean).join(" · ") }),
      a.dismissed ? el("div", { class: "hint", text: t("web.js.dismissed", a.dismissed) })
        : open && a.severity !== "info" ? dismissButtons(a) : "")));
  }

  /* An inspector who has looked and found no camera says what it is; an IR glow may be one of
     the restroom's own lights, which the site then remembers. Both are recorded in the log. */
  function dismissButtons(alert) {
    const row = el("div", { class: "seg" });
    const choices = [[t("web.js.dismiss"), false]];
    if (alert.type === "ir_emitter") choices.push([t("web.js.dismiss_fixture"), true]);
    for (const [label, asFixture] of choices) {
      const b = el("button", { type: "button", class: "link", "data-dismiss": asFixture ? "fixture" : "alert" });
      b.textContent = label;
      b.addEventListener("click", () => {
        const reason = window.prompt(t("web.js.dismiss_reason"));
        if (reason && reason.trim()) {
          call("/alerts/" + encodeURIComponent(alert.id) + "/dismiss", { reason, as_fixture: asFixture }, $("step-error"));
        }
      });
      row.append(b);
    }
    return row;
  }

  function renderRf(step) {
    if (!step) { $("rf-summary").textContent = t("web.js.rf_not_run"); return; }
    const video = step.emitters.filter((e) => e.kind === "analog_video").length;
    $("rf-summary").textContent = t("web.js.rf_summary", { emitters: step.emitters.length, video });
    if (step.finished_at !== shownSweep) {
      shownSweep = step.finished_at;
      api("GET", base + "/spectrum").then((s) => spectrum.push(s)).catch(() => {});
    }
  }

  function renderFindings(scans) {
    const list = [];
    let firstCrop = null;
    for (const scan of scans) {
      for (const f of scan.findings) {
        const label = t("web.js.finding." + f.kind) + " · " + t("web.js.zone." + scan.zone) +
          (typeof f.confidence === "number" ? " · " + Math.round(f.confidence * 100) + "%" : "");
        const item = el("li", {}, el("span", { text: label }));
        if (f.crop_sha256) {
          firstCrop = firstCrop || f;
          const img = el("img", { src: evidenceUrl(f.crop_sha256), alt: label, class: "crop", loading: "lazy" });
          item.append(el("div", { class: "evidence" }, img));
        }
        list.push(item);
      }
    }
    if (!list.length && scans.length) list.push(el("li", { class: "hint", text: t("web.js.no_findings") }));
    $("findings").replaceChildren(...list);
    if (firstCrop) {
      $("preview").hidden = false;
      const img = $("preview-img");
      img.onload = () => glintOverlay($("preview-marks"), img.naturalWidth, img.naturalHeight,
        [{ x: img.naturalWidth / 2, y: img.naturalHeight / 2, confirmed: (firstCrop.confidence || 0) >= 0.5 }]);
      img.src = evidenceUrl(firstCrop.crop_sha256);
    }
  }

  function renderChecklist(inspection) {
    const marks = new Map(inspection.checklist.map((m) => [m.stall + ":" + m.item, m.status]));
    const unscanned = new Set(inspection.coverage.missing_scans.map((p) => p.stall + ":" + p.item));
    const open = inspection.status === "in_progress";
    const blocks = [];
    for (let stall = 1; stall <= inspection.stalls; stall++) {
      if (inspection.stalls > 1) blocks.push(el("h3", { text: t("web.js.stall", { n: stall }) }));
      const ul = el("ul", { class: "checklist" });
      for (const item of items) {
        const key = stall + ":" + item;
        const seg = el("div", { class: "seg" });
        for (const status of statuses) {
          const b = el("button", { type: "button", "aria-pressed": String(marks.get(key) === status), "data-mark": status });
          b.textContent = t("web.js.mark." + status);
          b.disabled = !open;
          b.addEventListener("click", () => call("/marks", { stall, item, status }, $("step-error")));
          seg.append(b);
        }
        const scan = el("button", { type: "button", class: "link", "data-needs-open": "" });
        scan.textContent = unscanned.has(key) ? t("web.js.scan") : t("web.js.rescan");
        scan.disabled = !open;
        scan.addEventListener("click", () => call("/steps", { step: "optical", stall, zone: item }, $("step-error")));
        ul.append(el("li", { "data-item": item, "data-stall": String(stall) },
          el("div", { class: "row" }, el("strong", { text: t("web.js.zone." + item) }),
            el("span", { class: "hint", text: unscanned.has(key) ? t("web.js.not_scanned") : t("web.js.scanned") }), scan), seg));
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
    $("preview-img").removeAttribute("src");
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

  $("run-rf").addEventListener("click", () => call("/steps", { step: "rf" }, $("step-error")).then(refresh));
  $("run-optical-all").addEventListener("click", () => call("/steps", { step: "optical_all" }, $("step-error")).then(refresh));
  for (const b of document.querySelectorAll("[data-verdict]")) {
    b.addEventListener("click", () => {
      chosenVerdict = b.dataset.verdict;
      for (const other of document.querySelectorAll("[data-verdict]")) other.setAttribute("aria-pressed", String(other === b));
    });
  }
  $("verdict-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    call("/verdict", { verdict: chosenVerdict || (state && state.verdict), notified: form.elements.notified.value,
      report_ref: form.elements.report_ref.value }, $("verdict-error"));
  });
  $("sign-off").addEventListener("click", () => {
    if (!confirm(t("web.js.confirm_sign_off"))) return;
    call("/sign-off", {}, $("sign-error"));
  });

  const mine = (e) => !e.inspection_id || e.inspection_id === id;
  liveEvents({
    open: refresh,
    inspection: (e) => {
      if (!mine(e)) return;
      if (e.event === "step_failed") { $("step-error").textContent = e.message || t("web.js.failed"); $("step-error").hidden = false; }
      refresh();
    },
    progress: (e) => {
      if (!mine(e)) return;
      const share = typeof e.fraction === "number" ? " " + Math.round(e.fraction * 100) + "%" : "";
      $("running").textContent = t("web.js.running", { step: t("web.js.step." + e.step) }) + share + (e.zone ? " · " + t("web.js.zone." + e.zone) : "");
    },
    alert: (e) => { if (mine(e)) { refresh(); if (navigator.vibrate) navigator.vibrate([300, 100, 300]); } },
    spectrum: (e) => { if (mine(e)) spectrum.show(e); },
    optics_status: (e) => { if (mine(e)) showOptics(e); },
    proximity: (e) => { if (mine(e)) meter(e); },
  });
});
