/* One signed record, everything it holds, readable: the verdict, who, when (in the city's
   zone), the found-camera steps with their times, each alert with its stall, place and
   frequency and any dismissal with its reason, the checklist with the places that had
   findings, the RF emitters and the evidence. Prints as an A4 report (style.css @media print).
   Opening an evidence file is logged on the device (who saw it and when). */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { api, t, el, formatTime, placeName } = window.ansim;
  const $ = (id) => document.getElementById(id);
  const id = $("record").dataset.id;

  function fact(name, value) {
    if (value === null || value === undefined || value === "") return;
    $("facts").append(el("dt", { text: t("web.js.fact." + name) }), el("dd", { text: String(value) }));
  }
  const where = (r, stall, zone) => (zone ? t("web.js.stall", { n: stall }) + " · " + placeName(zone) : "");

  function evidenceUrl(sha256) {
    return "/api/evidence/" + sha256 + "?inspection=" + encodeURIComponent(id);
  }

  function evidenceItem(ref) {
    const url = evidenceUrl(ref.sha256);
    const label = t("web.js.evidence." + ref.kind.split(".")[0]) + " · " + Math.round(ref.size_bytes / 1024) + " KB";
    const item = el("li", {}, el("span", { text: label }));
    if (ref.media_type === "image/png") {
      const show = el("button", { type: "button" });
      show.textContent = t("web.js.show_image");
      show.addEventListener("click", () => { show.replaceWith(el("img", { src: url, alt: label, class: "crop" })); });
      item.append(show);
    } else {
      item.append(el("a", { href: url, class: "button", text: t("web.js.open_file") }));
    }
    return item;
  }

  /* Presence: how strongly the measurements say the device was at this restroom. */
  function showPresence(presence) {
    if (!presence) return;
    $("presence-card").hidden = false;
    $("presence").textContent = (presence.flagged ? "⚑ " : "") + t("web.js.presence." + presence.level);
    $("presence").classList.add(presence.flagged ? "flagged" : "ok");
    $("presence-reasons").replaceChildren(...presence.reasons.map((r) => el("li", {
      text: t("web.js." + r.key, { known: r.known, recognised: r.recognised }) })));
  }

  /* Each scanned place: what the handheld saw (its keyframe, shown on request, since opening
     it is logged) and what changed since the last signed-off inspection, both crops side by side. */
  function showPlaces(r) {
    const scans = (r.steps || []).filter((s) => s.kind === "optical_scan" && s.keyframe);
    if (!scans.length) return;
    $("places-card").hidden = false;
    $("places").replaceChildren(...scans.map((s) => {
      const caption = t("web.js.place.saw", { stall: s.stall, zone: placeName(s.zone), when: formatTime(s.started_at) });
      const box = el("div", { class: "place" }, el("h3", { text: caption }));
      const show = el("button", { type: "button", class: "link", text: t("web.js.show_image") });
      show.addEventListener("click", () => show.replaceWith(el("div", { class: "evidence" }, el("img", { src: evidenceUrl(s.keyframe.sha256), alt: caption }))));
      box.append(show);
      const change = s.change;
      if (change && "aligned" in change) {
        if (!change.aligned) box.append(el("p", { class: "error", text: t("web.js.place.not_aligned") }));
        else if (!change.changes.length) box.append(el("p", { class: "hint", text: t("web.js.place.no_change") }));
        for (const c of change.changes || []) {
          const label = t("web.js.place.change." + c.kind) + " (" + Math.round(c.x) + ", " + Math.round(c.y) + ")";
          box.append(el("p", { class: "alert medium", text: label }),
            el("div", { class: "evidence" }, el("img", { src: evidenceUrl(c.crop_sha256), alt: label })));
        }
      }
      return box;
    }));
  }


  function alertItem(r, a) {
    const facts = [where(r, a.stall, a.zone), a.freq_hz ? (a.freq_hz / 1e6).toFixed(1) + " MHz" : "",
      a.video_standard || "", formatTime(a.raised_at)];
    const item = el("li", { class: "alert " + a.severity + (a.dismissed ? " dismissed" : "") },
      el("span", { class: "severity", text: t("web.js.severity." + a.severity) }),
      el("strong", { text: a.message || t("web.js.finding." + (a.type || a.kind)) }),
      el("div", { class: "when", text: facts.filter(Boolean).join(" · ") }));
    if (a.dismissed) {
      item.append(el("div", { class: "note", text: t("web.js.dismissed", { by: a.dismissed.by, reason: a.dismissed.reason }) + " · " + formatTime(a.dismissed.at) +
        (a.dismissed.as_fixture ? " · " + t("web.js.as_fixture") : "") }));
    }
    if (a.fixture) item.append(el("div", { class: "note", text: t("web.js.known_fixture", { reason: a.fixture.reason || "" }) }));
    return item;
  }

  function showRecord(data) {
    const r = data.record;
    $("record-number").textContent = data.record_number + " · " + t("web.js.fact.device") + " " + data.device_id;
    $("title").textContent = r.type === "correction" ? t("web.js.correction") : (r.site.name || r.site.id);
    const verdict = r.verdict || r.proposed_verdict;
    if (verdict) {
      $("verdict").hidden = false;
      $("verdict").className = "ended " + verdict;
      $("verdict").textContent = t("web.js.fact.verdict") + ": " + t("web.js.verdict." + verdict);
    }
    fact("site", r.site && (r.site.name + " (" + r.site.id + ")"));
    fact("status", t("web.js.state." + r.status));
    fact("proposed_verdict", r.proposed_verdict ? t("web.js.verdict." + r.proposed_verdict) : null);
    fact("inspector", r.inspector);
    fact("signed_by", r.signed_by);
    fact("started_at", formatTime(r.started_at));
    fact("signed_at", formatTime(r.signed_at));
    fact("stalls", r.stalls);
    fact("notified", r.escalation && r.escalation.notified);
    fact("report_ref", r.escalation && r.escalation.report_ref);
    fact("reason", r.reason);
    fact("supersedes", data.supersedes_number);
    fact("corrected_by", data.corrected_by_numbers.join(", "));
    fact("record_hash", data.record_hash);

    const procedure = (r.escalation && r.escalation.procedure) || [];
    $("procedure-card").hidden = !procedure.length;
    $("procedure").replaceChildren(...procedure.map((d) => el("li", { "data-step": d.step },
      el("strong", { text: t("web.found.step." + d.step) }), el("div", { class: "hint", text: formatTime(d.at) + " · " + d.by }))));

    const alerts = r.alerts || [];
    $("alerts-none").hidden = alerts.length > 0;
    $("alerts").replaceChildren(...alerts.map((a) => alertItem(r, a)));
    if (r.coverage) {
      $("coverage").textContent = r.coverage.complete ? t("web.js.coverage_complete")
        : t("web.js.coverage_missing", { scans: r.coverage.missing_scans.length, marks: r.coverage.missing_marks.length });
    }
    const findings = new Map();
    for (const a of alerts) if (a.zone) findings.set(a.stall + ":" + a.zone, (findings.get(a.stall + ":" + a.zone) || []).concat(a));
    $("checklist").replaceChildren(...(r.checklist || []).map((m) => {
      const here = findings.get(m.stall + ":" + m.item) || [];
      return el("tr", { class: here.some((a) => !a.dismissed && a.severity !== "info") ? "has-findings" : "" },
        el("td", { text: where(r, m.stall, m.item) }), el("td", { class: "nowrap", text: t("web.js.mark." + m.status) }),
        el("td", { text: here.map((a) => t("web.js.finding." + a.type) + (a.dismissed ? " (" + t("web.js.dismissed_short") + ")" : "")).join(", ") || "—" }));
    }));
    const sweep = (r.steps || []).filter((s) => s.kind === "rf_sweep").pop();
    $("emitters").replaceChildren(...(sweep ? sweep.emitters : []).map((e) => el("li", {
      text: (e.freq_hz / 1e6).toFixed(1) + " MHz · " + e.power_db.toFixed(1) + " dB · " + t("web.js.emitter_kind." + e.kind) + (e.video_standard ? " (" + e.video_standard + ")" : "") })));
    $("evidence").replaceChildren(...(r.evidence || []).map(evidenceItem));
    showPresence(r.presence);
    showPlaces(r);
    $("bundle").parentElement.hidden = r.type !== "inspection";
  }

  api("GET", "/api/log/" + encodeURIComponent(id)).then(showRecord).catch(() => { $("not-found").hidden = false; });
  $("print").addEventListener("click", () => window.print());

  $("correct-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    try {
      const made = await api("POST", "/api/log/" + encodeURIComponent(id) + "/corrections",
        { verdict: form.elements.verdict.value || null, reason: form.elements.reason.value });
      location.href = "/log/" + encodeURIComponent(made.record_id);
    } catch (error) {
      $("correct-error").textContent = (error.data && error.data.message) || t("web.js.failed");
      $("correct-error").hidden = false;
    }
  });
});
