/* Long forms: a warning before leaving with unsaved changes, and a draft kept in this browser.
 *
 * <form data-guard>                     asks before the page is left while the form has unsaved changes;
 * <form data-guard data-draft-key="k">  also keeps the typed text in localStorage under "k" and offers it back
 *                                       (the banner's texts come from data-draft-* attributes: no inline script).
 * A submit clears the guard and the draft: the server either saves the text or draws the form again with it.
 */
(function () {
  "use strict";

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.name === "csrfmiddlewaretoken" || el.name === "version") return false;
      if (el.tagName === "TEXTAREA") return true;
      return el.tagName === "INPUT" && /^(text|number|date|email|search|tel|url|)$/.test(el.type || "");
    });
  }

  function snapshot(form) {
    var out = {};
    fields(form).forEach(function (el) { out[el.name] = el.value; });
    return out;
  }

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function setUpDraft(form, markDirty) {
    var key = form.getAttribute("data-draft-key");
    var store = storage();
    if (!key || !store) return;
    key = "kt-draft:" + key;
    var raw = store.getItem(key);
    var draft = null;
    try { draft = raw && JSON.parse(raw); } catch (e) { draft = null; }
    var current = snapshot(form);
    var differs = draft && draft.fields && Object.keys(draft.fields).some(function (n) {
      return n in current && draft.fields[n] !== current[n];
    });
    if (differs) {
      var banner = document.createElement("div");
      banner.className = "alert alert-warning d-flex flex-wrap align-items-center gap-2 draft-banner";
      banner.setAttribute("role", "status");
      var text = document.createElement("span");
      var when = new Date(draft.savedAt);
      var pad = function (n) { return (n < 10 ? "0" : "") + n; };
      text.textContent = (form.getAttribute("data-draft-found") || "") + " " + pad(when.getHours()) + ":" +
        pad(when.getMinutes()) + " " + pad(when.getDate()) + "/" + pad(when.getMonth() + 1) + "/" + when.getFullYear();
      var restore = document.createElement("button");
      restore.type = "button";
      restore.className = "btn btn-sm btn-primary";
      restore.textContent = form.getAttribute("data-draft-restore") || "OK";
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "btn btn-sm btn-light border";
      discard.textContent = form.getAttribute("data-draft-discard") || "×";
      restore.addEventListener("click", function () {
        fields(form).forEach(function (el) {
          if (el.name in draft.fields) el.value = draft.fields[el.name];
        });
        banner.remove();
        markDirty();
      });
      discard.addEventListener("click", function () { store.removeItem(key); banner.remove(); });
      banner.appendChild(text);
      banner.appendChild(restore);
      banner.appendChild(discard);
      form.parentNode.insertBefore(banner, form);
    }
    var timer = null;
    form.addEventListener("submit", function () { clearTimeout(timer); store.removeItem(key); });
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        try { store.setItem(key, JSON.stringify({ savedAt: Date.now(), fields: snapshot(form) })); } catch (e) { /* full */ }
      }, 400);
    });
  }

  function setUpGuard(form) {
    var dirty = false;
    var submitting = false;
    var markDirty = function () { dirty = true; };
    form.addEventListener("input", markDirty);
    form.addEventListener("change", markDirty);
    form.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    setUpDraft(form, markDirty);
  }

  document.querySelectorAll("form[data-guard]").forEach(setUpGuard);
})();
