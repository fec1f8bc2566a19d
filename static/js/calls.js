// Unscheduled-care line: keyboard shortcuts, call timer, vital-emergency banner, autosave helpers.
// Loaded as a file because the CSP forbids inline scripts and hx-on attributes.
(function () {
  "use strict";

  var MAX_SECONDS = 4 * 3600;

  function $(selector) { return document.querySelector(selector); }

  function isTyping(element) {
    return element && (element.tagName === "TEXTAREA" ||
      (element.tagName === "INPUT" && !["radio", "checkbox", "button", "submit"].includes(element.type)));
  }

  function fire(element, type) {
    element.dispatchEvent(new Event(type, { bubbles: true }));
  }

  // --- vital emergency: shown the instant the outcome is chosen, before any round trip ---
  function syncVitalBanner() {
    var screen = $("#call-screen");
    var banner = $("#vital-banner");
    if (!screen || !banner) return;
    var checked = document.querySelector("input[name='outcome']:checked");
    var vital = checked && checked.value === screen.dataset.vital;
    var wasHidden = banner.hidden;
    banner.hidden = !vital;
    document.body.classList.toggle("vital-emergency", !!vital);
    if (vital && wasHidden) {
      window.scrollTo({ top: 0 });
      banner.setAttribute("tabindex", "-1");
    }
  }

  function chooseOutcome(value) {
    var radio = document.querySelector("input[name='outcome'][value='" + value + "']");
    if (!radio) return;
    radio.checked = true;
    radio.focus();
    fire(radio, "change");
  }

  // --- call timer: fills the hidden duration field while the call is open ---
  function startTimer() {
    var screen = $("#call-screen");
    var display = $("#call-timer");
    var field = $("#id_duration_seconds");
    if (!screen || !display || screen.dataset.open !== "1") return;
    var started = Date.parse(screen.dataset.receivedAt);
    if (isNaN(started)) return;
    function tick() {
      var seconds = Math.max(0, Math.min(MAX_SECONDS, Math.round((Date.now() - started) / 1000)));
      var m = Math.floor(seconds / 60), s = seconds % 60;
      display.textContent = (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
      if (field) field.value = String(seconds);
    }
    tick();
    setInterval(tick, 1000);
  }

  // --- shortcuts (Alt + letter; event.code so that AZERTY and macOS Option keys work alike) ---
  var focusTargets = {
    KeyP: "#patient-search",
    KeyT: "#id_caller_phone",
    KeyC: "#id_commune",
    KeyM: "#id_reason",
  };

  function focusOutcome() {
    var radio = document.querySelector("input[name='outcome']:checked") || document.querySelector("input[name='outcome']");
    if (radio) radio.focus();
  }

  function openQuickPatient() {
    var details = $("#quick-patient");
    if (!details) return;
    details.open = true;
    var first = details.querySelector("input[name='last_name']");
    if (first) first.focus();
  }

  function focusFirstSlot() {
    var slot = document.querySelector("#snp-slots button:not([disabled])");
    if (slot) { slot.focus(); slot.scrollIntoView({ block: "nearest" }); }
    else if ($("#snp-slots")) $("#snp-slots").scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      var form = $("#call-form");
      if (form) { event.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (event.altKey && !event.ctrlKey && !event.metaKey) {
      var handled = true;
      if (focusTargets[event.code] && $(focusTargets[event.code])) {
        $(focusTargets[event.code]).focus();
      } else if (event.code === "KeyU") {
        chooseOutcome(($("#call-screen") || {}).dataset ? $("#call-screen").dataset.vital : "");
      } else if (event.code === "KeyO") {
        focusOutcome();
      } else if (event.code === "KeyI") {
        openQuickPatient();
      } else if (event.code === "KeyR") {
        focusFirstSlot();
      } else {
        var target = document.querySelector("[data-shortcut='" + event.code + "']");
        if (target) target.click(); else handled = false;
      }
      if (handled) event.preventDefault();
      return;
    }
    var active = document.activeElement;
    // 1-7 while the outcome group has the focus
    if (active && active.name === "outcome" && /^[1-7]$/.test(event.key)) {
      var radio = document.querySelector("input[name='outcome'][data-outcome-key='" + event.key + "']");
      if (radio) { event.preventDefault(); chooseOutcome(radio.value); }
      return;
    }
    // arrows between the search box and its results
    if (active && (active.id === "patient-search" || active.classList.contains("patient-result"))) {
      var results = Array.prototype.slice.call(document.querySelectorAll(".patient-result"));
      var index = results.indexOf(active);
      if (event.key === "ArrowDown" && results.length) {
        event.preventDefault();
        results[Math.min(index + 1, results.length - 1)].focus();
      } else if (event.key === "ArrowUp" && index >= 0) {
        event.preventDefault();
        (index === 0 ? $("#patient-search") : results[index - 1]).focus();
      } else if (event.key === "Escape" && index >= 0) {
        $("#patient-search").focus();
      } else if (event.key === "Enter" && active.id === "patient-search" && results.length === 1) {
        event.preventDefault();
        results[0].click();
      }
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "outcome") syncVitalBanner();
  });

  // After the patient is chosen or created (the server sends "call-changed" once the block
  // is swapped in): fill what the call does not know yet, then let the autosave run.
  document.body.addEventListener("call-changed", function () {
    var block = $("#call-patient");
    var form = $("#call-form");
    if (!block || !form) return;
    var changed = false;
    var commune = $("#id_commune"), phone = $("#id_caller_phone");
    if (commune && !commune.value && block.dataset.commune) { commune.value = block.dataset.commune; changed = true; }
    if (phone && !phone.value && block.dataset.phone) { phone.value = block.dataset.phone; changed = true; }
    var unknown = document.querySelector("input[name='caller_kind'][value='unknown']:checked");
    var self = document.querySelector("input[name='caller_kind'][value='patient']");
    if (unknown && self && block.dataset.patient) { self.checked = true; changed = true; }
    if (changed) fire(form, "change");
    var search = $("#patient-search");
    if (search && (document.activeElement === document.body || !document.activeElement)) search.focus();
    else if (!search && block.dataset.patient && $("#id_reason") && !isTyping(document.activeElement)) $("#id_reason").focus();
  });

  // A consultation booked from the slots panel closes the call on the server: mirror it here
  // so that the next autosave does not send the old, empty outcome back. The outcome comes with
  // the confirmation, not in an event of the booking's answer: a reload of the slots landing
  // meanwhile (the commune just filled in, say) detaches the clicked button, htmx then drops
  // that answer, and the confirmation shown is the reload's. Read once per swap.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var root = event.target && event.target.querySelector ? event.target : document;
    var booked = root.querySelector("#booked-consultation[data-call-outcome]");
    if (!booked) return;
    var outcome = booked.getAttribute("data-call-outcome");
    booked.removeAttribute("data-call-outcome");
    var checked = document.querySelector("input[name='outcome']:checked");
    if (!checked || checked.value === "same_day" || checked.value === "within_48h") {
      var radio = document.querySelector("input[name='outcome'][value='" + outcome + "']");
      if (radio) radio.checked = true;
    }
    syncVitalBanner();
  });

  syncVitalBanner();
  startTimer();
})();
