/* CAFpedia's only script, and an enhancement: every page works without it.
   - Registers the service worker that keeps pages for reading offline (static/sw.js).
   - On a phone, folds a tip's details (area, standards, references, reviews) under its text. */
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
  });
})();
