/* Volunteers page: a fresh join code and its QR code, made by the device. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { api, t, formatTime } = window.ansim;
  document.getElementById("new-code").addEventListener("click", async () => {
    const issued = await api("POST", "/api/join-codes");
    document.getElementById("code").textContent = issued.code;
    document.getElementById("qr").src = issued.qr_url;
    document.getElementById("expires").textContent = t("web.js.code_expires", { time: formatTime(issued.expires_at) });
    document.getElementById("join-url").textContent = issued.join_url;
    document.getElementById("code-box").hidden = false;
  });
});
