// Drafts that survive: autosave of long forms, restore of kept text, the idle warning.
// No inline scripts (Content-Security-Policy): the data comes from data-* attributes and
// a JSON block ({% draft_form %}, {% idle_warning %}).
(function () {
  "use strict";
  var ACTIVITY_KEY = "casemgmt.lastActivity"; // shared by the tabs of this browser
  var lastActivity = Date.now();
  var idle = null; // the idle warning's controller, when signed in

  function touch() {
    lastActivity = Date.now();
    try { window.localStorage.setItem(ACTIVITY_KEY, String(lastActivity)); } catch (e) { /* private mode */ }
  }

  function sharedActivity() {
    var stored = 0;
    try { stored = Number(window.localStorage.getItem(ACTIVITY_KEY)) || 0; } catch (e) { stored = 0; }
    return Math.max(lastActivity, stored);
  }

  // ------------------------------------------------------------------ restore
  function restore(form, fields) {
    Object.keys(fields).forEach(function (name) {
      var values = fields[name];
      var elements = Array.prototype.filter.call(form.elements, function (el) { return el.name === name; });
      var textIndex = 0;
      elements.forEach(function (el) {
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = values.indexOf(el.value) !== -1;
        } else if (el.tagName === "SELECT" && el.multiple) {
          Array.prototype.forEach.call(el.options, function (opt) { opt.selected = values.indexOf(opt.value) !== -1; });
        } else if (el.type !== "file" && el.type !== "submit" && el.type !== "button") {
          if (textIndex < values.length) { el.value = values[textIndex]; }
          textIndex += 1;
        }
      });
    });
  }

  // ------------------------------------------------------------------ autosave
  // The CSRF cookie first: a login in another tab rotates it, and the token in this
  // page's form would then be refused.
  function csrfCookie() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function csrfOf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return csrfCookie() || (input ? input.value : "");
  }

  function setupForm(marker) {
    var form = marker.form;
    if (!form) { return; }
    var url = marker.getAttribute("data-draft-autosave");
    var seconds = Number(marker.getAttribute("data-draft-seconds")) || 20;
    var status = form.querySelector("[data-draft-status]");
    var kept = document.getElementById("draft-fields");
    if (kept && form.contains(kept)) { restore(form, JSON.parse(kept.textContent)); }
    var discard = form.querySelector("[data-draft-discard]");
    if (discard) {
      discard.addEventListener("click", function () {
        if (!window.confirm(discard.getAttribute("data-confirm-text"))) { return; }
        var body = new URLSearchParams();
        body.append("_draft", marker.value);
        body.append("csrfmiddlewaretoken", csrfOf(form));
        window.fetch(discard.getAttribute("data-draft-discard"), {
          method: "POST", body: body, credentials: "same-origin", redirect: "manual"
        }).then(function () { stopped = true; window.location.reload(); });
      });
    }
    var dirty = false;
    var stopped = false;
    var submitting = false;

    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { submitting = true; });

    function save(force) {
      if (stopped || (!dirty && !force)) { return; }
      dirty = false;
      var body = new URLSearchParams(new FormData(form));
      window.fetch(url, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfOf(form), "X-Requested-With": "fetch" }
      }).then(function (response) {
        if (response.status === 401) { stopped = true; if (idle) { idle.expired(); } return; }
        if (!response.ok) { dirty = true; return; }
        touch();
        if (status) {
          var now = new Date();
          status.textContent = "Draft kept at " + String(now.getHours()).padStart(2, "0") + ":" +
            String(now.getMinutes()).padStart(2, "0") + ".";
        }
      }).catch(function () { dirty = true; });
    }
    window.setInterval(save, seconds * 1000);
    // Leaving the page (another tab, closing it) without saving: keep what changed.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && dirty && !submitting && !stopped && navigator.sendBeacon) {
        dirty = false;
        navigator.sendBeacon(url, new FormData(form));
      }
    });
    return { saveNow: function () { save(true); } };
  }

  // ------------------------------------------------------------------ idle warning
  function setupIdle(box, forms) {
    var idleSeconds = Number(box.getAttribute("data-idle-seconds"));
    var warningSeconds = Number(box.getAttribute("data-warning-seconds"));
    var warning = box.querySelector("[data-idle-state=warning]");
    var expiredBox = box.querySelector("[data-idle-state=expired]");
    var countdown = box.querySelector("[data-idle-countdown]");
    var login = box.querySelector("[data-idle-login]");
    var isExpired = false;
    var loginBase = login ? login.getAttribute("href") : "";

    function show(state) {
      box.hidden = state === null;
      warning.hidden = state !== "warning";
      expiredBox.hidden = state !== "expired";
    }

    function expired() {
      if (isExpired) { return; }
      isExpired = true;
      if (login) { login.href = loginBase + "?next=" + encodeURIComponent(location.pathname + location.search); }
      show("expired");
      // One last save: signed out, it is kept for this browser until the next login.
      forms.forEach(function (f) { f.saveNow(); });
    }

    function tick() {
      var remaining = idleSeconds - (Date.now() - sharedActivity()) / 1000;
      if (isExpired) {
        // A request answered as signed in since (another tab, a save): not signed out after all.
        if (remaining > warningSeconds) { isExpired = false; show(null); }
        return;
      }
      if (remaining <= 0) { expired(); return; }
      if (remaining <= warningSeconds) {
        var s = Math.ceil(remaining);
        countdown.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
        if (box.hidden) { show("warning"); }
      } else if (!box.hidden) {
        show(null);
      }
    }

    box.querySelector("[data-idle-stay]").addEventListener("click", function () {
      window.fetch(box.getAttribute("data-keepalive-url"), {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRFToken": csrfCookie() || box.getAttribute("data-csrf"), "X-Requested-With": "fetch" }
      }).then(function (response) {
        if (response.ok) { touch(); show(null); } else if (response.status === 401) { expired(); }
      });
    });
    document.body.addEventListener("htmx:afterRequest", touch);
    window.setInterval(tick, 1000);
    tick();
    return { expired: expired };
  }

  document.addEventListener("DOMContentLoaded", function () {
    touch(); // this page's request renewed the session
    var forms = [];
    var box = document.getElementById("idle-warning");
    Array.prototype.forEach.call(document.querySelectorAll("input[data-draft-autosave]"), function (marker) {
      var f = setupForm(marker);
      if (f) { forms.push(f); }
    });
    if (box) { idle = setupIdle(box, forms); }
  });
})();
