// The workbench's small helpers: problems placed next to their fields after htmx validation,
// what-if sliders paired with number boxes, arrow keys between the grid's rows, and
// tab-separated text pasted into a grid cell spread over the cells to its right and below.
(function () {
  "use strict";

  function placeProblems() {
    var list = document.getElementById("problems");
    if (!list) return;
    document.querySelectorAll("#editor .field-error").forEach(function (e) { e.remove(); });
    document.querySelectorAll("#editor [aria-invalid]").forEach(function (e) {
      e.removeAttribute("aria-invalid");
      e.removeAttribute("aria-describedby");
    });
    list.querySelectorAll("li[data-field]").forEach(function (li) {
      var name = li.getAttribute("data-field");
      if (!name) return;
      var input = document.getElementById("f-" + name);
      if (!input) return;
      var id = "err-" + name;
      var span = document.getElementById(id);
      if (!span) {
        span = document.createElement("span");
        span.className = "field-error";
        span.id = id;
        input.insertAdjacentElement("afterend", span);
        span.textContent = li.textContent;
      } else {
        span.textContent += "; " + li.textContent;
      }
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", id);
    });
  }

  document.addEventListener("htmx:afterSettle", placeProblems);

  document.addEventListener("input", function (event) {
    var el = event.target;
    var pair = el.getAttribute && el.getAttribute("data-pair");
    if (!pair) return;
    var other = document.getElementById(pair);
    if (other && other.value !== el.value) other.value = el.value;
    if (el.classList.contains("wi-number")) {
      // the number box carries no name: the range input is what the form posts
      other.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });

  document.addEventListener("reset", function (event) {
    if (event.target.id !== "whatif") return;
    setTimeout(function () {
      var first = event.target.querySelector(".wi-range");
      if (first) first.dispatchEvent(new Event("input", { bubbles: true }));
      event.target.querySelectorAll(".wi-range").forEach(function (r) {
        var other = document.getElementById(r.getAttribute("data-pair"));
        if (other) other.value = r.value;
      });
    }, 0);
  });

  function cellsOf(input) {
    var row = input.closest("tr");
    var table = input.closest("table.grid");
    if (!row || !table) return null;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var cols = Array.prototype.slice.call(row.querySelectorAll("input:not([type=hidden]), textarea"));
    return { rows: rows, r: rows.indexOf(row), c: cols.indexOf(input) };
  }

  function cellAt(rows, r, c) {
    if (r < 0 || r >= rows.length) return null;
    var cols = rows[r].querySelectorAll("input:not([type=hidden]), textarea");
    return c < cols.length ? cols[c] : null;
  }

  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if (el.tagName !== "INPUT" || !(event.key === "ArrowDown" || event.key === "ArrowUp")) return;
    var at = cellsOf(el);
    if (!at) return;
    var next = cellAt(at.rows, at.r + (event.key === "ArrowDown" ? 1 : -1), at.c);
    if (next) { event.preventDefault(); next.focus(); }
  });

  // the text editor: a problem's "line N" selects that line of the file's text
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.goto-line");
    var box = document.getElementById("source-text");
    if (!link || !box) return;
    event.preventDefault();
    var lines = box.value.split("\n");
    var n = Math.min(parseInt(link.getAttribute("data-line"), 10), lines.length) - 1;
    var start = lines.slice(0, n).join("\n").length + (n > 0 ? 1 : 0);
    box.focus();
    box.setSelectionRange(start, start + lines[n].length);
  });

  document.addEventListener("paste", function (event) {
    var el = event.target;
    if (el.tagName !== "INPUT") return;
    var text = (event.clipboardData || window.clipboardData).getData("text");
    if (text.indexOf("\t") < 0 && text.indexOf("\n") < 0) return;
    var at = cellsOf(el);
    if (!at) return;
    event.preventDefault();
    text.replace(/\r/g, "").split("\n").filter(function (l) { return l.length; }).forEach(function (line, i) {
      line.split("\t").forEach(function (value, j) {
        var cell = cellAt(at.rows, at.r + i, at.c + j);
        if (cell) cell.value = value.trim();
      });
    });
    el.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();
