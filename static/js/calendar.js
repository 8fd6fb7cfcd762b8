// Calendar drag and drop (scheduling): drop an appointment on another day to move it
// there at the same time. Posts to the appointment's drop URL; an overlap asks to
// confirm. No inline script (CSP): this file is loaded by the calendar page.
(function () {
  "use strict";
  function token() {
    var input = document.querySelector("#drop-form input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function say(text, kind) {
    var box = document.getElementById("drop-status");
    if (!box) return;
    box.textContent = text;
    box.className = "alert alert-" + kind;
  }
  function post(url, date, confirm) {
    var body = new URLSearchParams();
    body.set("date", date);
    if (confirm) body.set("confirm", "1");
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token(), "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
  }
  function move(url, date) {
    say("Moving…", "info");
    post(url, date, false).then(function (result) {
      if (result.status === 409 && result.data.field === "confirm_conflicts") {
        if (window.confirm(result.data.detail)) {
          return post(url, date, true).then(done);
        }
        say("Not moved.", "secondary");
        return null;
      }
      return done(result);
    }).catch(function () { say("Not moved: the server could not be reached.", "danger"); });
  }
  function done(result) {
    if (result.status === 200) {
      say("Moved.", "success");
      window.location.reload();
    } else {
      say("Not moved: " + (result.data.detail || "refused"), "danger");
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var dragged = null;
    document.querySelectorAll("[data-drop-url]").forEach(function (item) {
      item.addEventListener("dragstart", function (event) {
        dragged = item;
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", item.dataset.appointment);
      });
    });
    document.querySelectorAll("[data-drop-date]").forEach(function (cell) {
      cell.addEventListener("dragover", function (event) {
        if (dragged) { event.preventDefault(); cell.classList.add("cal-drop"); }
      });
      cell.addEventListener("dragleave", function () { cell.classList.remove("cal-drop"); });
      cell.addEventListener("drop", function (event) {
        event.preventDefault();
        cell.classList.remove("cal-drop");
        if (dragged) move(dragged.dataset.dropUrl, cell.dataset.dropDate);
        dragged = null;
      });
    });
  });
})();
