/* advocacy: the share sheet. Opens it as a dialog from the feed, swaps in the suggested
   text of the chosen network, shows the live character budget and, for networks that take
   only a link, copies the text so it can be pasted. Without JavaScript the same form works
   as a plain page. */
(function () {
  "use strict";

  function compose(text, disclosure) {
    return [text.trim(), disclosure.trim()].filter(Boolean).join("\n\n");
  }

  function setUp(form) {
    var suggestions = JSON.parse(form.getAttribute("data-suggestions") || "{}");
    var disclosure = form.getAttribute("data-disclosure") || "";
    var link = form.getAttribute("data-sample-link") || "";
    var textarea = form.querySelector("textarea[name=text]");
    var hidden = form.querySelector("input[name=share_text_id]");
    var output = form.querySelector("output.budgets");
    var copyNote = form.querySelector(".copy-note");
    var lastSuggestion = textarea.value;

    form.querySelectorAll(".no-js-only").forEach(function (el) { el.hidden = true; });

    function checkedAccounts() {
      return Array.prototype.slice.call(form.querySelectorAll("input[name=accounts]:checked"));
    }

    function network() {
      var checked = form.querySelector("input[name=network]:checked");
      return checked ? checked.value : null;
    }

    function urlOnly(key) { return form.getAttribute("data-url-only-" + key) === "1"; }

    /* The budget of every network the post goes to: the checked accounts (a Mastodon
       server may set its own limit and link length), or else the share page chosen below. */
    function targets() {
      var accounts = checkedAccounts().map(function (box) {
        var limit = box.getAttribute("data-limit");
        var urlLength = box.getAttribute("data-url-length");
        return [box.getAttribute("data-network"), limit ? parseInt(limit, 10) : undefined,
                urlLength ? parseInt(urlLength, 10) : undefined];
      });
      if (accounts.length) { return accounts; }
      return network() ? [[network(), undefined, undefined]] : [];
    }

    function update() {
      var body = compose(textarea.value, disclosure);
      var full = body ? body + "\n" + link : link;
      var over = false;
      output.textContent = targets().map(function (target) {
        // What the network receives: where it takes the link apart (LinkedIn), the words
        // and the disclosure line only (advocacy.sharing.services.as_sent).
        var m = window.AdvocacyCount.measure(target[0], urlOnly(target[0]) ? body : full,
                                             target[1], target[2]);
        over = over || m.over;
        return (targets().length > 1 ? target[0] + " " : "") +
          (m.limit ? m.used + " / " + m.limit : String(m.used));
      }).join(" · ");
      output.className = "budgets" + (over ? " over" : "");
      if (copyNote) { copyNote.hidden = checkedAccounts().length > 0 || !urlOnly(network()); }
    }

    form.addEventListener("change", function (event) {
      if (event.target.name === "accounts") { update(); return; }
      if (event.target.name !== "network") { return; }
      var suggestion = suggestions[event.target.value];
      // Keep what the person wrote; replace only an untouched suggestion.
      if (suggestion && textarea.value === lastSuggestion) {
        textarea.value = suggestion.text;
        hidden.value = suggestion.id;
        lastSuggestion = suggestion.text;
      }
      update();
    });
    textarea.addEventListener("input", update);

    form.addEventListener("submit", function (event) {
      var key = network();
      var byLink = event.submitter && event.submitter.name === "open";
      if (byLink && key && urlOnly(key) && navigator.clipboard) {
        navigator.clipboard.writeText(compose(textarea.value, disclosure)).catch(function () {});
      }
      var dialog = form.closest("dialog");
      if (dialog && byLink) {
        // The network opens in a new tab; the feed stays where it was.
        window.setTimeout(function () { dialog.close(); }, 300);
      }
    });
    update();
  }

  document.querySelectorAll("form.share-form").forEach(setUp);

  var dialog = document.getElementById("share-dialog");
  if (!dialog || typeof dialog.showModal !== "function") { return; }

  document.addEventListener("click", function (event) {
    var trigger = event.target.closest && event.target.closest("a[data-share-dialog]");
    if (trigger) {
      event.preventDefault();
      fetch(trigger.href + (trigger.href.indexOf("?") < 0 ? "?" : "&") + "partial=1",
            {credentials: "same-origin"})
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.text();
        })
        .then(function (html) {
          dialog.innerHTML = html;
          setUp(dialog.querySelector("form.share-form"));
          dialog.showModal();
        })
        .catch(function () { window.location.href = trigger.href; });
      return;
    }
    if (event.target.closest && event.target.closest(".dialog-close")) {
      dialog.close();
    }
  });
})();
