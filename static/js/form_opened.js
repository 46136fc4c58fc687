/* The comment and Ask forms' "too fast" speed bump (advice/signed_forms.py).
   The form's signed token is shared by every reader within a time window, so
   the server cannot tell how long this reader's form was open; this script
   measures it and sends it in the hidden "open_ms" field (milliseconds).
   The clock starts at the form's first focus or input, or at the page load
   when the form comes back holding the reader's text (a refused comment).
   Without this script the field stays empty and there is no too-fast check. */
(function () {
  "use strict";
  if (!window.performance || typeof window.performance.now !== "function") {
    return;
  }
  var fields = document.querySelectorAll("input[type=hidden][name=open_ms]");
  Array.prototype.forEach.call(fields, function (field) {
    var form = field.form;
    if (!form) {
      return;
    }
    var start = null;
    function begin() {
      if (start === null) {
        start = window.performance.now();
      }
    }
    var text = form.querySelector("textarea");
    if (text && text.value.trim() !== "") {
      start = 0; // the page's load: the reader wrote this before
    }
    form.addEventListener("focusin", begin);
    form.addEventListener("input", begin);
    form.addEventListener("submit", function () {
      if (start !== null) {
        field.value = String(Math.max(0, Math.round(window.performance.now() - start)));
      }
    });
  });
})();
