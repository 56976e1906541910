// Typeahead for the catalog search box: asks /search/suggest/?q= as the visitor types and shows
// a list under the box (arrows to move, Enter to pick, Escape to close). No library.
(function () {
  "use strict";
  var input = document.getElementById("catalog-q");
  var list = document.getElementById("catalog-suggestions");
  if (!input || !list || !window.fetch) return;
  var url = input.getAttribute("data-suggest-url");
  var timer = null, active = -1, items = [], last = "";

  function close() { list.hidden = true; list.innerHTML = ""; active = -1; items = []; }
  function show(suggestions) {
    list.innerHTML = "";
    items = suggestions;
    suggestions.forEach(function (s, i) {
      var li = document.createElement("li");
      li.textContent = s.text;
      li.className = s.kind;
      li.setAttribute("role", "option");
      li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(i); });
      list.appendChild(li);
    });
    list.hidden = suggestions.length === 0;
    active = -1;
  }
  function pick(i) { input.value = items[i].text; close(); input.form.submit(); }
  function highlight(i) {
    var nodes = list.children;
    for (var n = 0; n < nodes.length; n++) nodes[n].classList.toggle("active", n === i);
    active = i;
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) { close(); return; }
    timer = setTimeout(function () {
      last = q;
      fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) { if (data.query === last) show(data.suggestions || []); })
        .catch(close);
    }, 120);
  });
  input.addEventListener("keydown", function (e) {
    if (list.hidden) return;
    if (e.key === "ArrowDown") { e.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
    else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(active - 1, -1)); }
    else if (e.key === "Enter" && active >= 0) { e.preventDefault(); pick(active); }
    else if (e.key === "Escape") { close(); }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
})();
