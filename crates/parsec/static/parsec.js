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

  // The crossing form. A keyboard-wedge scanner types the zone's lines, each followed by
  // Enter: once the lines make a whole zone, Enter reads it (the server checks it), fills the
  // traveller's fields and moves on to the direction; the agent saves with Enter anywhere.
  var zone = document.querySelector("textarea[data-mrz]");
  if (zone) {
    var form = zone.form;
    var verdict = document.getElementById("mrz-verdict");
    var whole = function (text) {
      var lines = text.split("\n").map(function (l) { return l.replace(/\s/g, ""); })
        .filter(function (l) { return l.length > 0; });
      var last = function (n, len) {
        return lines.length >= n && lines.slice(-n).every(function (l) { return len.indexOf(l.length) >= 0; });
      };
      return last(3, [30]) || last(2, [36, 44]);
    };
    var read = function () {
      var token = form.elements.csrf.value;
      fetch("/api/v1/border/mrz", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-csrf-token": token },
        body: new URLSearchParams({ mrz: zone.value }).toString()
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) {
          if (!d) { return; }
          verdict.textContent = d.verdict;
          verdict.classList.remove("empty");
          verdict.classList.toggle("bad", !d.usable);
          if (!d.usable) { return; }
          zone.value = d.zone;
          Object.keys(d.fields).forEach(function (k) {
            if (form.elements[k]) { form.elements[k].value = d.fields[k]; }
          });
          form.elements.direction.focus();
        })
        .catch(function () {});
    };
    zone.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && whole(zone.value)) { e.preventDefault(); read(); }
    });
    // Enter on a list saves too (browsers only do it in text fields).
    form.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && e.target.tagName === "SELECT") {
        e.preventDefault();
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      }
    });
  }
})();
