// parsec: small progressive enhancements. Every page works without this file.
"use strict";
(function () {
  // Suggest localities from the gazetteer as the user types in a locality field.
  document.querySelectorAll("input[data-locality]").forEach(function (input) {
    var list = document.createElement("ul");
    list.className = "suggest";
    input.insertAdjacentElement("afterend", list);
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2) { list.innerHTML = ""; return; }
        fetch("/api/v1/localities?limit=8&q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (data) {
            list.innerHTML = "";
            (data.items || []).forEach(function (l) {
              var li = document.createElement("li");
              li.textContent = l.name + " (" + [l.commune, l.cercle].filter(Boolean).join(", ") + ")";
              li.addEventListener("click", function () { input.value = l.id; list.innerHTML = ""; });
              list.appendChild(li);
            });
          })
          .catch(function () { list.innerHTML = ""; });
      }, 150);
    });
  });
})();
