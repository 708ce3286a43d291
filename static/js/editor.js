/* advocacy: the content editor. Live character budgets per network (the same rules as the
   server, from counting.js) and a small formatting toolbar for rich-text fields. */
(function () {
  "use strict";

  var form = document.querySelector("form.item-form");
  if (!form) { return; }

  /* The post is composed as on the server: text, blank line, disclosure, link. */
  function compose(text, disclosure, link) {
    var body = [text.trim(), disclosure.trim()].filter(Boolean).join("\n\n");
    return body ? body + "\n" + link : link;
  }

  function disclosure() {
    var language = form.querySelector("select[name=language]");
    var code = language ? language.value : "de";
    return form.getAttribute("data-disclosure-" + code) || "";
  }

  function renderBudgets(row) {
    var textarea = row.querySelector("textarea[data-budget]");
    var select = row.querySelector("select[name$='-network']");
    var output = row.querySelector("output.budgets");
    if (!textarea || !output) { return; }
    if (!textarea.value.trim()) { output.textContent = ""; return; }
    var networks = select && select.value ? [select.value]
      : form.getAttribute("data-networks").split(",");
    var full = compose(textarea.value, disclosure(), form.getAttribute("data-sample-link"));
    output.textContent = "";
    networks.forEach(function (key) {
      var m = window.AdvocacyCount.measure(key, full);
      var span = document.createElement("span");
      span.className = "budget" + (m.over ? " over" : "");
      span.textContent = form.getAttribute("data-label-" + key) + " " + m.used +
        (m.limit ? "/" + m.limit : "");
      output.appendChild(span);
    });
  }

  var rows = window.AdvocacyCount ? form.querySelectorAll(".share-text") : [];
  rows.forEach(function (row) {
    row.addEventListener("input", function () { renderBudgets(row); });
    row.addEventListener("change", function () { renderBudgets(row); });
    renderBudgets(row);
  });
  var language = form.querySelector("select[name=language]");
  if (language) {
    language.addEventListener("change", function () { rows.forEach(renderBudgets); });
  }

  /* Formatting toolbar: wraps the selection in a tag the server keeps. */
  function wrap(textarea, before, after) {
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    var value = textarea.value;
    textarea.value = value.slice(0, start) + before + value.slice(start, end) + after +
      value.slice(end);
    textarea.focus();
    textarea.setSelectionRange(start + before.length, end + before.length);
  }

  form.querySelectorAll("textarea[data-rich]").forEach(function (textarea) {
    var bar = document.createElement("div");
    bar.className = "toolbar";
    bar.setAttribute("role", "toolbar");
    [["B", "<strong>", "</strong>"], ["I", "<em>", "</em>"], ["¶", "<p>", "</p>"],
     ["•", "<ul>\n<li>", "</li>\n</ul>"]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button small secondary";
      button.textContent = spec[0];
      button.addEventListener("click", function () { wrap(textarea, spec[1], spec[2]); });
      bar.appendChild(button);
    });
    var link = document.createElement("button");
    link.type = "button";
    link.className = "button small secondary";
    link.textContent = "🔗";
    link.addEventListener("click", function () {
      var href = window.prompt("https://");
      if (href && /^https?:\/\//i.test(href)) {
        wrap(textarea, '<a href="' + href.replace(/"/g, "&quot;") + '">', "</a>");
      }
    });
    bar.appendChild(link);
    textarea.parentNode.insertBefore(bar, textarea);
  });
})();
