/* duban's few behaviours, from data attributes: the Content-Security-Policy (script-src 'self') runs no
   inline script or on…= handler, so pages say what they want and this file does it. */
(function () {
  "use strict";

  // <form data-confirm="确定…？">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest ? event.target.closest("form[data-confirm]") : null;
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // <input data-select-on-focus>: select the whole value (a new token, to copy).
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) {
      event.target.select();
    }
  });

  // <button data-print>: the browser's print dialog (the appeal poster).
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) {
      window.print();
    }
  });

  function ready() {
    // <div class="progress-bar" data-progress="40">: the bar's width (CSSOM styles are allowed, style="" is not).
    document.querySelectorAll("[data-progress]").forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, Number(bar.dataset.progress) || 0)) + "%";
    });

    // The audit chain head's copy button.
    var copy = document.getElementById("copy-head");
    if (copy) {
      copy.addEventListener("click", function () {
        var head = document.getElementById("chain-head");
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(head.dataset.head);
        } else {  // plain-http intranets have no clipboard API: select the text and copy the old way
          var range = document.createRange();
          range.selectNodeContents(head);
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          document.execCommand("copy");
        }
        copy.textContent = copy.dataset.copied;
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
