(function () {
  "use strict";
  // Sortable tables: a click on a column header sorts by it (again: reverses). The state is
  // kept in the address, e.g. index.html#students-table=total-desc, so a link can share it.
  var collator = new Intl.Collator(document.documentElement.lang || undefined,
                                   {numeric: true, sensitivity: "base"});
  function value(cell, numeric) {
    var v = cell.getAttribute("data-v");
    if (v === null) { v = cell.textContent.trim(); }
    if (!numeric) { return v; }
    var x = parseFloat(v);
    return isNaN(x) ? -Infinity : x;
  }
  function sortTable(table, col, dir) {
    var head = table.tHead.rows[0].cells;
    var numeric = head[col].getAttribute("data-type") === "num";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a.cells[col], numeric), y = value(b.cells[col], numeric);
      var c = numeric ? (x < y ? -1 : x > y ? 1 : 0) : collator.compare(x, y);
      if (dir === "desc") { c = -c; }
      return c || collator.compare(value(a.cells[0], false), value(b.cells[0], false));
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(head, function (th, i) {
      if (i === col) { th.setAttribute("aria-sort", dir === "desc" ? "descending" : "ascending"); }
      else { th.removeAttribute("aria-sort"); }
    });
    table.setAttribute("data-sorted", head[col].getAttribute("data-key") + "-" + dir);
  }
  function state() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var kv = part.split("=");
      if (kv.length === 2) { out[decodeURIComponent(kv[0])] = decodeURIComponent(kv[1]); }
    });
    return out;
  }
  function remember(table) {
    var s = state();
    s[table.id] = table.getAttribute("data-sorted");
    var hash = Object.keys(s).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(s[k]);
    }).join("&");
    if (history.replaceState) { history.replaceState(null, "", "#" + hash); }
  }
  var initial = state();
  Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), function (table) {
    var head = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(head, function (th, col) {
      if (!th.hasAttribute("data-key")) { return; }
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var numeric = th.getAttribute("data-type") === "num";
        var now = th.getAttribute("aria-sort");
        var dir = now ? (now === "ascending" ? "desc" : "asc") : (numeric ? "desc" : "asc");
        sortTable(table, col, dir);
        remember(table);
      });
    });
    var wanted = table.id && initial[table.id];
    if (wanted) {
      var m = /^(.*)-(asc|desc)$/.exec(wanted);
      if (m) {
        Array.prototype.forEach.call(head, function (th, col) {
          if (th.getAttribute("data-key") === m[1]) { sortTable(table, col, m[2]); }
        });
      }
    }
    table.setAttribute("data-sort-ready", "");
  });
  // The search box: rows whose name holds the typed text (any case, any accents) stay.
  var filter = document.getElementById("name-filter");
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function applyFilter() {
    var q = fold(filter.value.trim());
    var shown = 0;
    Array.prototype.forEach.call(document.querySelectorAll("table[data-filterable]"), function (t) {
      Array.prototype.forEach.call(t.tBodies[0].rows, function (row) {
        var hit = !q || fold(row.getAttribute("data-name") || "").indexOf(q) !== -1;
        row.hidden = !hit;
        if (hit && t.id === "students-table") { shown += 1; }
      });
    });
    var none = document.getElementById("no-match");
    if (none) { none.hidden = shown !== 0; }
  }
  if (filter) {
    filter.addEventListener("input", applyFilter);
    applyFilter();
  }
}());
