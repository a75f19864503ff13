/* The intake form: search the payer directory, post the form as JSON to /v1/intake and show
 * the server's answer. No framework; the server's field messages are the source of truth.
 *
 * The form element carries its configuration:
 *   data-key       an intake:submit API key (intake scope only, rate-limited, origin-bound)
 *   data-api-base  where the API is ("" for this page's own origin)
 */
(function () {
  "use strict";

  var form = document.getElementById("intake-form");
  if (!form) {
    return;
  }

  var KEY = form.getAttribute("data-key") || "";
  var API_BASE = (form.getAttribute("data-api-base") || "").replace(/\/+$/, "");
  var SEARCH_DELAY_MS = 250;

  // The API's error field names → the input that shows the message.
  var INPUT_FOR = {
    payer_id: "payer",
    contact: "phone",
    "contact.phone": "phone",
    "contact.email": "email",
  };

  var MESSAGES = {
    sending: "Sending your details…",
    fix: function (count) {
      return count === 1
        ? "There is a problem: 1 field needs attention."
        : "There is a problem: " + count + " fields need attention.";
    },
    busy: function (seconds) {
      var wait = seconds > 0 && seconds <= 600
        ? "in " + seconds + (seconds === 1 ? " second" : " seconds")
        : "in a minute";
      return "We have had a lot of requests from here. Nothing was sent; please try again " +
        wait + ".";
    },
    network: "We could not reach our server, so nothing was sent. Please check your " +
      "connection and try again.",
    refused: "This form cannot send your details right now. Please call us and we will check " +
      "your insurance with you.",
    server: "Something went wrong on our side. Please try again in a few minutes.",
  };

  var status = document.getElementById("form-status");
  var button = document.getElementById("submit");
  var payerInput = document.getElementById("payer");
  var payerId = document.getElementById("payer_id");
  var payerList = document.getElementById("payer-options");
  var formError = document.getElementById("form-error");
  var busy = false;

  function url(path) {
    return new URL(API_BASE + path, window.location.href);
  }

  function headers(extra) {
    var all = { Accept: "application/json", Authorization: "Bearer " + KEY };
    for (var name in extra) {
      all[name] = extra[name];
    }
    return all;
  }

  function say(text, kind) {
    status.textContent = text || "";
    status.className = "status" + (text && kind ? " status-" + kind : "");
  }

  /* ---- The payer directory: an <input list> filled as the person types. ---- */

  var known = new Map(); // lower-cased id, name or alias → payer id
  var searchTimer = null;
  var searchAbort = null;

  function remember(payers) {
    payers.forEach(function (payer) {
      [payer.id, payer.name].concat(payer.aliases || []).forEach(function (text) {
        if (text) {
          known.set(String(text).trim().toLowerCase(), payer.id);
        }
      });
    });
  }

  function showOptions(payers) {
    var options = payers.map(function (payer) {
      var option = document.createElement("option");
      option.value = payer.name;
      // Chromium and Firefox also match what is typed against the label: ids and aliases.
      var other = [payer.id].concat(payer.aliases || []).filter(function (text) {
        return text && text !== payer.name;
      });
      if (other.length) {
        option.label = other.join(", ");
      }
      return option;
    });
    payerList.replaceChildren.apply(payerList, options);
  }

  function resolvePayer() {
    var typed = payerInput.value.trim();
    payerId.value = known.get(typed.toLowerCase()) || typed;
    return typed;
  }

  function searchPayers(text) {
    if (searchAbort) {
      searchAbort.abort();
    }
    var abort = new AbortController();
    searchAbort = abort;
    var target = url("/v1/payers");
    if (text) {
      target.searchParams.set("q", text.slice(0, 100));
    }
    return fetch(target, {
      headers: headers({}),
      credentials: "omit",
      signal: abort.signal,
    })
      .then(function (response) {
        return response.ok ? response.json() : [];
      })
      .then(function (payers) {
        if (Array.isArray(payers) && searchAbort === abort) {
          remember(payers);
          showOptions(payers);
          resolvePayer();
        }
      })
      .catch(function () {
        // A failed suggestion is not an error: the person can still type, and the server
        // says so if it does not know the company.
      });
  }

  payerInput.addEventListener("input", function () {
    resolvePayer();
    window.clearTimeout(searchTimer);
    var text = payerInput.value.trim();
    searchTimer = window.setTimeout(function () {
      searchPayers(text);
    }, SEARCH_DELAY_MS);
  });
  payerInput.addEventListener("focus", function () {
    if (!payerList.options.length) {
      searchPayers(payerInput.value.trim());
    }
  });

  /* ---- Field errors: each message next to its field, described by it. ---- */

  function clearErrors() {
    form.querySelectorAll(".field-error").forEach(function (slot) {
      slot.replaceChildren();
      slot.hidden = true;
    });
    form.querySelectorAll("[aria-invalid]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
    });
    form.querySelectorAll(".field-invalid").forEach(function (field) {
      field.classList.remove("field-invalid");
    });
  }

  function fillSlot(slot, messages) {
    messages.forEach(function (message) {
      var line = document.createElement("span");
      line.textContent = message;
      slot.appendChild(line);
    });
    slot.hidden = false;
  }

  function showErrors(errors, fallback) {
    var general = [];
    var count = 0;
    Object.keys(errors || {}).forEach(function (field) {
      var messages = [].concat(errors[field]).map(String);
      var input = document.getElementById(INPUT_FOR[field] || field);
      var slot = input && document.getElementById(input.id + "-error");
      if (!input || !slot || !form.contains(input) || input.type === "hidden") {
        general = general.concat(messages);
        return;
      }
      if (slot.hidden) {
        count += 1;
      }
      fillSlot(slot, messages);
      input.setAttribute("aria-invalid", "true");
      var wrapper = input.closest(".field");
      if (wrapper) {
        wrapper.classList.add("field-invalid");
      }
    });
    if (general.length || !count) {
      general = general.length ? general : [fallback || MESSAGES.server];
      fillSlot(formError, general);
    }
    say(count ? MESSAGES.fix(count) : general.join(" "), "error");
    // Focus the first bad field in the order the person reads the form.
    var first = form.querySelector("[aria-invalid='true']");
    if (first) {
      first.focus();
    }
  }

  /* ---- Submitting. ---- */

  function value(id) {
    return document.getElementById(id).value.trim();
  }

  function body() {
    resolvePayer();
    var data = {
      first_name: value("first_name"),
      last_name: value("last_name"),
      date_of_birth: value("date_of_birth"),
      payer_id: payerId.value,
      member_id: value("member_id"),
      consent: document.getElementById("consent").checked,
    };
    if (value("group_number")) {
      data.group_number = value("group_number");
    }
    var contact = {};
    if (value("phone")) {
      contact.phone = value("phone");
    }
    if (value("email")) {
      contact.email = value("email");
    }
    if (contact.phone || contact.email) {
      data.contact = contact;
    }
    return data;
  }

  function setBusy(on) {
    busy = on;
    form.setAttribute("aria-busy", on ? "true" : "false");
    button.setAttribute("aria-disabled", on ? "true" : "false");
  }

  function confirmReceipt(receipt) {
    var confirmation = document.getElementById("confirmation");
    document.getElementById("confirmation-message").textContent = receipt.message || "";
    document.getElementById("confirmation-reference").textContent = receipt.reference;
    // The form goes, and what was typed with it.
    form.remove();
    say("");
    confirmation.hidden = false;
    confirmation.focus();
  }

  function retryAfter(response) {
    var seconds = parseInt(response.headers.get("Retry-After") || "", 10);
    return isNaN(seconds) ? 0 : seconds;
  }

  function answer(response, data) {
    if (response.status === 202 && data && data.reference) {
      confirmReceipt(data);
    } else if ((response.status === 422 || response.status === 400) && data) {
      showErrors(data.errors, data.message);
    } else if (response.status === 429) {
      say(MESSAGES.busy(retryAfter(response)), "error");
    } else if (response.status === 401 || response.status === 403) {
      say(MESSAGES.refused, "error");
    } else {
      say(MESSAGES.server, "error");
    }
  }

  function resolveThenSend() {
    var typed = resolvePayer();
    // Typed faster than the suggestions came back: look the company up once before sending.
    if (typed && !known.has(typed.toLowerCase())) {
      return searchPayers(typed);
    }
    return Promise.resolve();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) {
      return;
    }
    clearErrors();
    setBusy(true);
    say(MESSAGES.sending);
    resolveThenSend()
      .then(function () {
        return fetch(url("/v1/intake"), {
          method: "POST",
          headers: headers({ "Content-Type": "application/json" }),
          body: JSON.stringify(body()),
          credentials: "omit",
          cache: "no-store",
        });
      })
      .then(
        function (response) {
          return response.json().then(
            function (data) {
              answer(response, data);
            },
            function () {
              answer(response, null);
            }
          );
        },
        function () {
          say(MESSAGES.network, "error");
        }
      )
      .finally(function () {
        setBusy(false);
      });
  });

  form.hidden = false;
})();
