// The console works without this script; with it, a form that asks a payer says so while it
// waits, a refused form's summary takes the focus, and a page whose verification is still
// pending updates itself when the payer's answer lands. No framework, nothing from elsewhere.
(function () {
  "use strict";

  function busyForms() {
    document.querySelectorAll("form[data-busy]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        var button = form.querySelector("button[type=submit]");
        if (form.dataset.sent) {
          event.preventDefault(); // one question to the payer, however often it is clicked
          return;
        }
        form.dataset.sent = "yes";
        form.setAttribute("aria-busy", "true");
        if (button) {
          button.setAttribute("aria-disabled", "true");
        }
        var status = form.querySelector("[role=status]");
        if (status) {
          status.textContent = form.dataset.busy;
        }
      });
    });
  }

  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  }

  function pollPending() {
    var pending = document.querySelector("[data-poll]");
    if (!pending || !window.fetch) {
      return;
    }
    var url = pending.getAttribute("data-poll");
    var tries = 0;
    function check() {
      tries += 1;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (body && body.state && body.state !== "pending") {
            pending.querySelector("p").textContent = "The payer has answered: loading the answer…";
            window.location.reload();
          } else if (tries < 400) {
            window.setTimeout(check, 1500);
          }
        })
        .catch(function () {
          if (tries < 400) {
            window.setTimeout(check, 5000);
          }
        });
    }
    window.setTimeout(check, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    busyForms();
    focusErrors();
    pollPending();
  });
})();
