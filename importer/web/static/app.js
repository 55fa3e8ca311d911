// The import page's own script (no framework; htmx does the requests and swaps).

// Drag-and-drop onto the drop zone: the file goes into the form's file input, then the
// form is sent (the same request as choosing the file and pressing the button).
document.addEventListener("DOMContentLoaded", function () {
  var zone = document.getElementById("dropzone");
  var input = document.getElementById("file");
  var form = document.getElementById("drop-form");
  if (!zone || !input || !form) { return; }
  var chosen = document.getElementById("chosen");
  input.addEventListener("change", function () {
    if (chosen && input.files.length) { chosen.textContent = input.files[0].name; }
  });
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("over");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      form.requestSubmit();
    }
  });
});

// The check page's grid, like a spreadsheet: Tab / Shift-Tab (the browser's), Enter /
// Shift-Enter and the arrow keys move between cells; Esc undoes the typing in a cell; a
// changed cell is sent when the person leaves it (one request at a time, in order); what is
// typed while the grid is checked again is kept, with the focus and the caret; F8 and the
// "next problem" button go to the next cell with a problem (on the next page if needed).
(function () {
  "use strict";
  var queue = Promise.resolve();
  var pending = {};  // cell id -> value sent and not yet shown back
  var inFlight = null;  // {id, value} of the edit being answered
  var saved = null;  // the focused cell before a swap
  var lastCell = null;  // id of the last cell that had the focus

  function grid() { return document.getElementById("grid-table"); }
  function isCell(el) {
    return !!(el && el.tagName === "INPUT" && el.closest && el.closest("#grid-table"));
  }
  function inputs(row) { return Array.prototype.slice.call(row.querySelectorAll("input")); }

  function neighbour(input, rows, cols) {
    var row = input.closest("tr");
    var cells = inputs(row);
    var i = cells.indexOf(input);
    if (rows) {
      var other = rows > 0 ? row.nextElementSibling : row.previousElementSibling;
      if (!other) { return null; }
      var below = inputs(other);
      return below[Math.min(i, below.length - 1)] || null;
    }
    if (cells[i + cols]) { return cells[i + cols]; }
    var next = cols > 0 ? row.nextElementSibling : row.previousElementSibling;
    if (!next) { return null; }
    var wrapped = inputs(next);
    return cols > 0 ? wrapped[0] : wrapped[wrapped.length - 1];
  }

  function go(target) {
    if (!target) { return; }
    target.focus();
    target.select();
  }

  function send(input) {
    var id = input.id;
    var value = input.value;
    var row = input.closest("tr").dataset.row;
    var col = input.dataset.col;
    input.dataset.sent = value;
    pending[id] = value;
    queue = queue.then(function () {
      var table = grid();
      if (!table) { return null; }
      var header = table.querySelector('thead th[data-col="' + col + '"]');
      var values = JSON.parse(table.dataset.view);  // the rows shown now stay shown
      values.row = row;
      values.column = header ? header.dataset.column : "";
      values.value = value;
      inFlight = {id: id, value: value};
      return htmx.ajax("POST", table.dataset.post, {
        source: document.body, target: "#grid", swap: "innerHTML", values: values
      });
    }).catch(function () { return null; }).then(function () {
      if (pending[id] === value) { delete pending[id]; }
      inFlight = null;
    });
  }

  function leave(input) {
    if (!document.body.contains(input)) { return; }  // removed by a swap: not a leave
    if (input.value !== input.defaultValue && input.value !== input.dataset.sent) {
      send(input);
    }
  }

  function problems() {
    var table = grid();
    return table ? Array.prototype.slice.call(table.querySelectorAll("input[data-problem]")) : [];
  }

  function nextProblem() {
    var list = problems();
    var from = isCell(document.activeElement) ? document.activeElement
      : (lastCell && document.getElementById(lastCell));
    var next = null;
    if (from) {
      next = list.filter(function (el) {
        return from.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING;
      })[0];
    }
    if (!next && from) {
      var button = document.getElementById("next-problem");
      if (button && button.dataset.nextPage) {
        window.location.assign(button.dataset.nextPage + "#problem");
        return;
      }
    }
    go(next || list[0]);
  }

  document.addEventListener("focusout", function (event) {
    if (isCell(event.target)) { leave(event.target); }
  });

  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (!isCell(input)) { return; }
    lastCell = input.id;
    var help = document.getElementById("cell-help");
    if (!help) { return; }  // the row's problems in full, the cell's own first
    var own = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    var all = Array.prototype.slice.call(input.closest("tr").querySelectorAll(".issue"));
    all.sort(function (a, b) { return (own.indexOf(b.id) >= 0) - (own.indexOf(a.id) >= 0); });
    help.textContent = all.map(function (el) { return el.textContent; }).join(" · ");
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "F8" && grid()) {
      event.preventDefault();
      nextProblem();
      return;
    }
    var input = event.target;
    if (!isCell(input) || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var end = input.value.length;
    var target;
    switch (event.key) {
      case "Enter":
        target = neighbour(input, event.shiftKey ? -1 : 1, 0);
        if (!target) { leave(input); }
        break;
      case "ArrowDown": target = neighbour(input, 1, 0); break;
      case "ArrowUp": target = neighbour(input, -1, 0); break;
      case "ArrowLeft":
        if (input.selectionStart !== 0 || input.selectionEnd !== 0) { return; }
        target = neighbour(input, 0, -1);
        break;
      case "ArrowRight":
        if (input.selectionStart !== end || input.selectionEnd !== end) { return; }
        target = neighbour(input, 0, 1);
        break;
      case "Escape":
        input.value = input.defaultValue;
        input.select();
        event.preventDefault();
        return;
      default:
        return;
    }
    event.preventDefault();
    go(target);
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("#next-problem")) { nextProblem(); }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "grid") { return; }
    if (inFlight && pending[inFlight.id] === inFlight.value) { delete pending[inFlight.id]; }
    var active = document.activeElement;
    saved = isCell(active) ? {
      id: active.id, value: active.value, typed: active.value !== active.defaultValue,
      start: active.selectionStart, end: active.selectionEnd
    } : null;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "grid") { return; }
    Object.keys(pending).forEach(function (id) {  // sent, not answered yet: keep it shown
      var el = document.getElementById(id);
      if (el) { el.value = pending[id]; el.dataset.sent = pending[id]; }
    });
    if (!saved) { return; }
    var el = document.getElementById(saved.id);
    if (el) {
      if (saved.typed) { el.value = saved.value; }
      el.focus();
      try { el.setSelectionRange(saved.start, saved.end); } catch (e) { /* not text */ }
    }
    saved = null;
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!grid()) { return; }
    // The page as first loaded is a history entry htmx can restore too (Back to it).
    if (!window.history.state) { window.history.replaceState({htmx: true}, "", window.location.href); }
    if (window.location.hash === "#problem") { go(problems()[0]); }
  });
})();
