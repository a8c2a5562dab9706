/* CAFpedia's only script, and an enhancement: every page works without it.
   - Registers the service worker that keeps pages for reading offline (static/sw.js).
   - On a phone, folds a tip's details (area, standards, references, reviews) under its text.
   - Beside a field with a limit (data-limit), counts what is typed against it; and before a
     form is sent, refuses to send more than the server accepts (data-max-request), saying so
     and keeping every word on the page (the server would answer 413 and the text be lost). */
(function () {
  "use strict";
  var script = document.currentScript;
  if ("serviceWorker" in navigator && window.isSecureContext && script && script.dataset.serviceWorker) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(script.dataset.serviceWorker).catch(function () { /* offline reading is a bonus */ });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (window.matchMedia("(max-width: 40rem)").matches) {
      document.querySelectorAll("details.tip-details").forEach(function (details) { details.open = false; });
    }
    document.querySelectorAll("[data-limit]").forEach(function (field) {
      var hint = document.getElementById(field.id + "-limit");
      if (!hint) { return; }
      var limit = parseInt(field.dataset.limit, 10);
      var count = function () {
        var length = field.value.length;
        hint.textContent = "At most " + limit.toLocaleString("en-GB") + " characters" +
          (length > limit ? ": this has " + length.toLocaleString("en-GB") + ", " +
            (length - limit).toLocaleString("en-GB") + " too many." : (length ? "; this has " + length.toLocaleString("en-GB") + "." : "."));
        hint.classList.toggle("limit-over", length > limit);
      };
      field.addEventListener("input", count);
      count();
    });
    var most = script ? parseInt(script.dataset.maxRequest || "0", 10) : 0;
    if (most) {
      document.querySelectorAll("form[method=post]").forEach(function (form) {
        form.addEventListener("submit", function (event) { refuseIfTooLarge(form, most, event); });
      });
    }
  });

  function megabytes(bytes) { return (bytes / 1048576).toFixed(1) + " MB"; }

  // The size of what the form would send, near enough: each value as UTF-8, with its name.
  function formSize(form) {
    var size = 0;
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.disabled) { return; }
      if (element.type === "file") {
        Array.prototype.forEach.call(element.files || [], function (file) { size += file.size; });
      } else if ((element.type !== "checkbox" && element.type !== "radio") || element.checked) {
        size += new Blob([element.name + "=" + element.value]).size;
      }
    });
    return size;
  }

  function refuseIfTooLarge(form, most, event) {
    var size = formSize(form);
    var box = form.querySelector(".too-large");
    if (size <= most) {
      if (box) { box.remove(); }
      return;
    }
    event.preventDefault();
    if (!box) {
      box = document.createElement("div");
      box.className = "error-summary too-large";
      box.setAttribute("role", "alert");
      box.tabIndex = -1;
      form.insertBefore(box, form.firstChild);
    }
    box.innerHTML = "";
    var title = document.createElement("h2");
    title.className = "error-summary-title";
    title.textContent = "This is too large to send";
    var text = document.createElement("p");
    text.textContent = "The form holds " + megabytes(size) + "; CAFpedia accepts at most " + megabytes(most) +
      " at once. Nothing was sent, and your text is still here: shorten it, then send it again.";
    box.appendChild(title);
    box.appendChild(text);
    box.focus();
  }
})();
