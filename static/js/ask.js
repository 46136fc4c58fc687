// Ask form: while the reader types a question, list published answers that
// may already fit (from /ask/suggest/). Progressive enhancement: without
// this script the form posts as usual.
(function () {
  "use strict";
  var form = document.getElementById("ask-form");
  if (!form || !window.fetch) return;
  var field = form.querySelector("textarea[name=question]");
  var box = document.getElementById("ask-suggestions");
  var list = document.getElementById("ask-suggestions-list");
  var url = form.getAttribute("data-suggest-url");
  if (!field || !box || !list || !url) return;

  var timer = null;
  var lastQuery = "";
  var latest = 0;

  function show(results) {
    while (list.firstChild) list.removeChild(list.firstChild);
    results.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      a.textContent = item.title; // text, never HTML
      li.appendChild(a);
      list.appendChild(li);
    });
    box.hidden = results.length === 0;
  }

  function lookUp() {
    var query = field.value.trim().slice(0, 1000);
    if (query === lastQuery) return;
    lastQuery = query;
    if (query.length < 3) { show([]); return; }
    var ticket = ++latest;
    fetch(url + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        if (ticket === latest) show(Array.isArray(data.results) ? data.results : []);
      })
      .catch(function () { /* suggestions are optional */ });
  }

  field.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 350);
  });
})();
