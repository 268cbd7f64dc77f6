/* ansim: what every page shares. Texts, API calls with the CSRF token, the live event
   stream with reconnect and the offline banner, and the phone's time for a clockless device.
   Plain browser JavaScript, no libraries: the device serves everything itself. */
"use strict";
(function () {
  const texts = JSON.parse(document.getElementById("texts").textContent || "{}");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  function t(key, params) {
    let s = texts[key];
    if (s === undefined) s = key.split(".").pop().replace(/_/g, " ");
    for (const [k, v] of Object.entries(params || {})) s = s.split("{" + k + "}").join(String(v));
    return s;
  }

  async function api(method, url, body) {
    const options = { method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (method !== "GET") options.headers["X-CSRF-Token"] = csrf;
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(url, options);
    if (response.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); }
    const data = response.status === 204 ? {} : await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(data.error || ("HTTP " + response.status));
      error.status = response.status;
      error.data = data;
      throw error;
    }
    return data;
  }

  /* The live stream. EventSource reconnects by itself (sending Last-Event-ID so the server
     replays what was missed); when the server refuses (e.g. too many streams) it gives up,
     so we start a new one with a growing delay. The banner shows whenever we are cut off. */
  function liveEvents(handlers) {
    const banner = document.getElementById("offline");
    let source = null, delayMs = 1000, lastId = null;
    const setOffline = (off) => { banner.hidden = !off; document.body.classList.toggle("offline", off); };
    function connect() {
      const url = "/api/events" + (lastId ? "?since=" + encodeURIComponent(lastId) : "");
      source = new EventSource(url);
      source.onopen = () => { setOffline(false); delayMs = 1000; if (handlers.open) handlers.open(); };
      source.onerror = () => {
        setOffline(true);
        if (source.readyState === EventSource.CLOSED) {
          setTimeout(connect, delayMs);
          delayMs = Math.min(delayMs * 2, 15000);
        }
      };
      for (const kind of Object.keys(handlers)) {
        if (kind === "open") continue;
        source.addEventListener(kind, (message) => {
          lastId = message.lastEventId || lastId;
          handlers[kind](JSON.parse(message.data));
        });
      }
    }
    /* The phone knows it lost the network before the stream does: show it at once, and
       start afresh (asking for what was missed) when the network is back. */
    window.addEventListener("offline", () => { setOffline(true); if (source) source.close(); });
    window.addEventListener("online", () => { if (source) source.close(); connect(); });
    connect();
    return () => source && source.close();
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v; else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const child of children) node.append(child);
    return node;
  }

  /* Times in the device's zone (Asia/Seoul unless configured), always with the zone shown,
     whatever zone the phone itself is set to. */
  const zone = document.body.dataset.timezone || "Asia/Seoul";
  const zoneLabel = document.body.dataset.timezoneLabel || "KST";
  function formatTime(iso, timeOnly) {
    if (!iso) return "";
    const d = new Date(iso);
    if (isNaN(d)) return iso;
    const options = timeOnly ? { timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false }
      : { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false };
    return d.toLocaleString(document.documentElement.lang === "ko" ? "ko-KR" : "en-GB", options) + " " + zoneLabel;
  }

  /* One name per checklist place, everywhere (the engine's own catalogue entry). */
  function placeName(zone) { return t("place." + zone); }

  /* A device without a clock battery takes its time from the first logged-in phone. */
  function offerPhoneTime() {
    for (const form of document.querySelectorAll("form[data-phone-time]")) {
      form.addEventListener("submit", () => { form.elements.phone_time_ms.value = String(Date.now()); });
    }
    if (document.body.dataset.clockNeeded === "1") {
      api("POST", "/api/clock", { phone_time_ms: Date.now() }).catch(() => {});
    }
  }

  function markActiveTab() {
    const page = document.body.dataset.page;
    for (const a of document.querySelectorAll(".tabs a")) {
      a.classList.toggle("active", a.dataset.nav === page);
      if (a.dataset.nav === page) a.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }

  window.ansim = { t, api, liveEvents, el, formatTime, placeName };
  document.addEventListener("DOMContentLoaded", () => { offerPhoneTime(); markActiveTab(); });
})();
