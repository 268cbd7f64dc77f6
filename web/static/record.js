/* One signed record: what was checked, when, by whom, how, with what result and evidence.
   Opening an evidence file is logged on the device (who saw it and when). */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { api, t, el, formatTime } = window.ansim;
  const $ = (id) => document.getElementById(id);
  const id = $("record").dataset.id;

  function fact(name, value) {
    if (value === null || value === undefined || value === "") return;
    $("facts").append(el("dt", { text: t("web.js.fact." + name) }), el("dd", { text: String(value) }));
  }

  function evidenceItem(ref) {
    const url = "/api/evidence/" + ref.sha256 + "?inspection=" + encodeURIComponent(id);
    const label = t("web.js.evidence." + ref.kind.split(".")[0]) + " · " + Math.round(ref.size_bytes / 1024) + " KB";
    const item = el("li", {}, el("span", { text: label }));
    if (ref.media_type === "image/png") {
      const show = el("button", { type: "button", class: "link" });
      show.textContent = t("web.js.show_image");
      show.addEventListener("click", () => { show.replaceWith(el("div", { class: "evidence" }, el("img", { src: url, alt: label }))); });
      item.append(show);
    } else {
      item.append(el("a", { href: url, text: t("web.js.open_file") }));
    }
    return item;
  }

  function evidenceUrl(sha256) {
    return "/api/evidence/" + sha256 + "?inspection=" + encodeURIComponent(id);
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
      const caption = t("web.js.place.saw", { stall: s.stall, zone: t("web.js.zone." + s.zone), when: formatTime(s.started_at) });
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

  api("GET", "/api/log/" + encodeURIComponent(id)).then((data) => {
    const r = data.record;
    $("title").textContent = r.type === "correction" ? t("web.js.correction") : (r.site.name || r.site.id);
    fact("site", r.site && (r.site.name + " (" + r.site.id + ")"));
    fact("status", t("web.js.state." + r.status));
    fact("verdict", r.verdict ? t("web.js.verdict." + r.verdict) : null);
    fact("proposed_verdict", r.proposed_verdict ? t("web.js.verdict." + r.proposed_verdict) : null);
    fact("inspector", r.inspector);
    fact("signed_by", r.signed_by);
    fact("started_at", formatTime(r.started_at));
    fact("signed_at", formatTime(r.signed_at));
    fact("stalls", r.stalls);
    fact("notified", r.escalation && r.escalation.notified);
    fact("report_ref", r.escalation && r.escalation.report_ref);
    fact("reason", r.reason);
    fact("supersedes", r.supersedes);
    fact("corrected_by", data.corrected_by.join(", "));
    fact("device", data.device_id + " #" + data.seq);
    fact("record_hash", data.record_hash);
    const alerts = r.alerts || [];
    $("alerts-none").hidden = alerts.length > 0;
    $("alerts").replaceChildren(...alerts.map((a) => el("li", { class: "alert " + a.severity },
      el("strong", { text: a.message || t("web.js.finding." + (a.type || a.kind)) }),
      el("div", { class: "when", text: [a.zone ? t("web.js.zone." + a.zone) : "", t("web.js.severity." + a.severity)].filter(Boolean).join(" · ") }))));
    if (r.coverage) {
      $("coverage").textContent = r.coverage.complete ? t("web.js.coverage_complete")
        : t("web.js.coverage_missing", { scans: r.coverage.missing_scans.length, marks: r.coverage.missing_marks.length });
    }
    $("checklist").replaceChildren(...(r.checklist || []).map((m) => el("tr", {},
      el("td", { text: (r.stalls > 1 ? "#" + m.stall + " " : "") + t("web.js.zone." + m.item) }),
      el("td", { text: t("web.js.mark." + m.status) }))));
    $("evidence").replaceChildren(...(r.evidence || []).map(evidenceItem));
    showPresence(r.presence);
    showPlaces(r);
    $("bundle").hidden = r.type !== "inspection";
  }).catch(() => { $("not-found").hidden = false; });

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
