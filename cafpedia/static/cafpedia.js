/* CAFpedia's only script, and an enhancement: every page works without it.
   - Registers the service worker that keeps pages for reading offline (static/sw.js).
   - On a phone, folds a tip's details (area, standards, references, reviews) under its text.
   - Beside a field with a limit (data-limit), counts what is typed against it; and before a
     form is sent, refuses to send more than the server accepts (data-max-request), saying so
     and keeping every word on the page (the server would answer 413 and the text be lost).
   - On the new-tip form, as its author types a title (three words or more) or the text, lists
     the tips and proposals that look like it (POST /tips/similar; the preview shows the same
     list without this script), in a polite live region: nothing takes the focus. */
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
    var similarRegion = document.getElementById("similar-tips");
    if (similarRegion && window.fetch && window.FormData) { similarAsYouType(similarRegion); }
    var most = script ? parseInt(script.dataset.maxRequest || "0", 10) : 0;
    if (most) {
      document.querySelectorAll("form[method=post]").forEach(function (form) {
        form.addEventListener("submit", function (event) { refuseIfTooLarge(form, most, event); });
      });
    }
  });

  // Asks for similar tips 400 ms after the typing stops, and shows only the latest answer.
  function similarAsYouType(region) {
    var form = region.closest("form");
    var title = form && form.querySelector("[name=title]");
    if (!title) { return; }
    var body = form.querySelector("[name=body]");
    var token = form.querySelector("[name=csrf_token]");
    var timer = null, lastAsked = null, lastShown = null, asked = 0;
    var ask = function () {
      var t = title.value.trim().slice(0, 300), b = body ? body.value.trim().slice(0, 1500) : "";
      if (t.split(/\s+/).filter(Boolean).length < 3 && !b) { return; }
      if (t + "\n" + b === lastAsked) { return; }
      lastAsked = t + "\n" + b;
      var data = new FormData();
      data.append("csrf_token", token ? token.value : "");
      data.append("title", t);
      data.append("body", b);
      var mine = ++asked;
      fetch(region.dataset.similarUrl, {
        method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (!answer || mine !== asked) { return; }
          var shown = JSON.stringify(answer.similar || []);
          if (shown === lastShown) { return; }
          lastShown = shown;
          showSimilar(region, answer.similar || []);
        })
        .catch(function () { /* a suggestion, not a check: the form works on without it */ });
    };
    var later = function () { clearTimeout(timer); timer = setTimeout(ask, 400); };
    title.addEventListener("input", later);
    if (body) { body.addEventListener("input", later); }
  }

  // The same markup as templates tips/_similar.html's similar_list, built from text only.
  function showSimilar(region, similar) {
    region.textContent = "";
    if (!similar.length) { return; }
    var element = function (tag, text, className) {
      var made = document.createElement(tag);
      if (text) { made.textContent = text; }
      if (className) { made.className = className; }
      return made;
    };
    var heading = element("h2", "Tips that may say the same");
    heading.id = "similar-tips-heading";
    region.appendChild(heading);
    region.appendChild(element("p", region.dataset.intro));
    var list = element("ul", "", "similar-tips-list");
    list.setAttribute("aria-labelledby", "similar-tips-heading");
    similar.forEach(function (found) {
      var item = element("li");
      var link = element("a", found.title);
      link.href = found.url;
      item.appendChild(link);
      item.appendChild(document.createTextNode(" "));
      var about = element("span", "(" + found.kind + ", " + found.area, "similar-tips-about");
      if (found.status === "pending") {
        about.appendChild(document.createTextNode(", "));
        about.appendChild(element("span", found.status_label, "status status-pending"));
      }
      about.appendChild(document.createTextNode(")"));
      item.appendChild(about);
      if (found.edit_url) {
        item.appendChild(document.createTextNode(" "));
        var edit = element("a", "Propose an edit to this one instead", "similar-tips-edit");
        edit.href = found.edit_url;
        edit.appendChild(element("span", ": " + found.title, "visually-hidden"));
        item.appendChild(edit);
      }
      list.appendChild(item);
    });
    region.appendChild(list);
  }

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
