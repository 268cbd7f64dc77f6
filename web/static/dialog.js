/* An in-page question instead of the browser's own prompt and confirm boxes (which are small,
   in the browser's language, and cannot ask for a reason properly): the page's <dialog id=ask>
   with a title, a sentence, an optional reason and big buttons. ask(...) resolves to the
   reason (or "" when none is asked), or null when the person cancels. */
"use strict";
window.ansimAsk = function ask({ title, text, withReason, ok }) {
  const dialog = document.getElementById("ask");
  const reason = document.getElementById("ask-reason"), error = document.getElementById("ask-error");
  document.getElementById("ask-title").textContent = title;
  document.getElementById("ask-text").textContent = text || "";
  document.getElementById("ask-ok").textContent = ok;
  document.getElementById("ask-reason-label").hidden = !withReason;
  reason.value = "";
  error.hidden = true;
  return new Promise((resolve) => {
    const okButton = document.getElementById("ask-ok");
    function onOk(event) {
      if (withReason && !reason.value.trim()) { event.preventDefault(); error.hidden = false; reason.focus(); }
    }
    okButton.addEventListener("click", onOk);
    dialog.addEventListener("close", function done() {
      dialog.removeEventListener("close", done);
      okButton.removeEventListener("click", onOk);
      resolve(dialog.returnValue === "ok" ? reason.value.trim() : null);
    });
    dialog.returnValue = "";
    dialog.showModal();
    if (withReason) reason.focus();
  });
};
