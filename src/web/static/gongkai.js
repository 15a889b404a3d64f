// Small enhancements only: every page works without this script.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Buttons that print the page they are on.
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  // Forms that ask before doing something that cannot be undone.
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); return; }
      // Said yes here: the server need not ask again on a page of its own.
      var c = f.querySelector("input[name=_confirmed]");
      if (c) { c.value = "1"; }
    });
  });
  // A form is sent once: a double click does not post twice.
  document.querySelectorAll("form[method=post]").forEach(function (f) {
    f.addEventListener("submit", function () {
      f.querySelectorAll("button[type=submit]").forEach(function (b) {
        setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  });
});
