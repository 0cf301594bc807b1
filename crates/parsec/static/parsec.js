// parsec: small progressive enhancements. Every page works without this file.
"use strict";
(function () {
  // Suggest localities from the gazetteer as the user types in a place field; arrows and
  // Enter choose. The visible field shows the place's name; its id goes in a hidden input
  // under the field's name (never an internal code in sight), given back on typing again.
  document.querySelectorAll("input[data-locality]").forEach(function (input) {
    var field = input.getAttribute("data-locality");
    var list = document.createElement("ul");
    list.className = "suggest";
    list.setAttribute("role", "listbox");
    var picked = input.parentNode.querySelector("input[data-picked]");
    input.insertAdjacentElement("afterend", list);
    var items = [];
    var active = -1;
    var timer = null;
    var show = function (i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, k) {
        li.classList.toggle("active", k === active);
        li.setAttribute("aria-selected", k === active ? "true" : "false");
      });
    };
    var choose = function (l) {
      if (!picked) {
        picked = document.createElement("input");
        picked.type = "hidden";
        picked.setAttribute("data-picked", "");
        input.insertAdjacentElement("afterend", picked);
      }
      picked.name = field;
      picked.value = l.id;
      input.removeAttribute("name");
      input.value = [l.name, l.commune, l.cercle].filter(Boolean).join(", ");
      list.innerHTML = "";
      items = [];
      active = -1;
    };
    input.addEventListener("keydown", function (e) {
      if (!items.length) { return; }
      if (e.key === "ArrowDown") { e.preventDefault(); show((active + 1) % items.length); }
      else if (e.key === "ArrowUp") { e.preventDefault(); show((active + items.length - 1) % items.length); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(items[active]); }
      else if (e.key === "Escape") { list.innerHTML = ""; items = []; active = -1; }
    });
    input.addEventListener("input", function () {
      // Typed again: the text is what counts, until a suggestion is chosen.
      if (picked) { picked.removeAttribute("name"); }
      input.name = field;
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2) { list.innerHTML = ""; items = []; return; }
        fetch("/api/v1/localities?limit=8&q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (data) {
            list.innerHTML = "";
            items = data.items || [];
            active = -1;
            items.forEach(function (l) {
              var li = document.createElement("li");
              li.setAttribute("role", "option");
              li.textContent = l.name + " (" + [l.commune, l.cercle].filter(Boolean).join(", ") + ")";
              li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(l); });
              list.appendChild(li);
            });
          })
          .catch(function () { list.innerHTML = ""; items = []; });
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

  // The map: the wheel zooms where the pointer is, a drag moves it. Without this file the
  // whole region is shown and every mark is still a link.
  var map = document.querySelector("[data-map] svg");
  if (map) {
    var vb = map.viewBox.baseVal;
    var full = { x: vb.x, y: vb.y, w: vb.width, h: vb.height };
    var at = function (e) {
      var r = map.getBoundingClientRect();
      return { x: vb.x + (e.clientX - r.left) / r.width * vb.width, y: vb.y + (e.clientY - r.top) / r.height * vb.height };
    };
    map.addEventListener("wheel", function (e) {
      e.preventDefault();
      var p = at(e);
      var k = e.deltaY < 0 ? 0.8 : 1.25;
      var w = Math.min(full.w, Math.max(full.w / 20, vb.width * k));
      var h = w * full.h / full.w;
      vb.x = p.x - (p.x - vb.x) * w / vb.width;
      vb.y = p.y - (p.y - vb.y) * h / vb.height;
      vb.width = w; vb.height = h;
    }, { passive: false });
    var drag = null;
    map.addEventListener("pointerdown", function (e) { drag = { x: e.clientX, y: e.clientY, vx: vb.x, vy: vb.y }; });
    window.addEventListener("pointerup", function () { drag = null; });
    map.addEventListener("pointermove", function (e) {
      if (!drag) { return; }
      var r = map.getBoundingClientRect();
      vb.x = drag.vx - (e.clientX - drag.x) / r.width * vb.width;
      vb.y = drag.vy - (e.clientY - drag.y) / r.height * vb.height;
    });

    // Under a form with coordinates, a click (not a drag) gives the point: the inverse of the
    // server's projection, whose constants the drawing carries.
    var proj = (map.getAttribute("data-projection") || "").split(" ").map(Number);
    var lat = document.getElementById("f-lat"), lon = document.getElementById("f-lon");
    if (map.parentNode.hasAttribute("data-pick") && proj.length === 4 && lat && lon) {
      var dot = document.createElementNS("http://www.w3.org/2000/svg", "circle");
      dot.setAttribute("class", "picked");
      dot.setAttribute("r", "6");
      var show = function () {
        var la = parseFloat(lat.value), lo = parseFloat(lon.value);
        if (isNaN(la) || isNaN(lo)) { if (dot.parentNode) { map.removeChild(dot); } return; }
        dot.setAttribute("cx", (lo - proj[0]) * proj[2]);
        dot.setAttribute("cy", (proj[1] - la) * proj[3]);
        map.appendChild(dot);
      };
      var down = null;
      map.addEventListener("pointerdown", function (e) { down = { x: e.clientX, y: e.clientY }; });
      map.addEventListener("click", function (e) {
        if (down && Math.abs(e.clientX - down.x) + Math.abs(e.clientY - down.y) > 4) { return; }
        var p = at(e);
        lat.value = (proj[1] - p.y / proj[3]).toFixed(5);
        lon.value = (proj[0] + p.x / proj[2]).toFixed(5);
        show();
      });
      lat.addEventListener("input", show);
      lon.addEventListener("input", show);
      show();
    }
  }
})();
