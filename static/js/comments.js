/* Comment replies: a "Reply" link moves the comment form under the comment
   it answers and sets the form's parent; "Cancel reply" puts it back.
   Without this script the same links reload the page with ?replytocom=<id>,
   which sets the parent on the server: this file is only a convenience. */
(function () {
  "use strict";

  var respond = document.getElementById("respond");
  var form = document.getElementById("commentform");
  if (!respond || !form) {
    return;
  }
  var parentInput = form.querySelector("input[name=parent]");
  var title = document.getElementById("reply-title-text");
  var cancel = document.getElementById("cancel-reply");
  var home = document.createElement("div");
  home.hidden = true;
  respond.parentNode.insertBefore(home, respond);

  function showTitle(author) {
    title.textContent = "";
    if (author === null) {
      title.textContent = "Leave a comment";
      return;
    }
    var name = document.createElement("span");
    name.dir = "auto";
    name.textContent = author;
    title.appendChild(document.createTextNode("Reply to "));
    title.appendChild(name);
  }

  function moveUnder(commentId, author) {
    var comment = document.getElementById("comment-" + commentId);
    if (!comment) {
      return false;
    }
    comment.appendChild(respond);
    parentInput.value = commentId;
    showTitle(author);
    cancel.hidden = false;
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".comment-reply-link") : null;
    if (!link) {
      return;
    }
    if (moveUnder(link.getAttribute("data-comment-id"), link.getAttribute("data-author") || "")) {
      event.preventDefault();
      var body = form.querySelector("textarea[name=body]");
      if (body) {
        body.focus();
      }
    }
  });

  cancel.addEventListener("click", function (event) {
    event.preventDefault();
    home.parentNode.insertBefore(respond, home.nextSibling);
    parentInput.value = "";
    showTitle(null);
    cancel.hidden = true;
  });

  // A page opened with ?replytocom=<id> (or shown again after a refused
  // reply) already has the parent set: show the form where the reply goes.
  if (parentInput.value) {
    var link = document.querySelector('.comment-reply-link[data-comment-id="' +
      parentInput.value.replace(/[^0-9]/g, "") + '"]');
    if (link) {
      moveUnder(parentInput.value, link.getAttribute("data-author") || "");
    }
  }

  // A refused comment comes back at #respond, and a page opened at a
  // fragment skips autofocus: hand the focus to the field at fault.
  // (Chromium also clears the focus when it scrolls to the fragment at
  // load, so this waits for the load.)
  var fault = form.querySelector("[autofocus]");
  function focusFault() {
    if (document.activeElement === fault) {
      return;
    }
    fault.focus({ preventScroll: true });
    var box = fault.getBoundingClientRect();
    if (box.bottom < 0 || box.top > window.innerHeight - 48) {  // out of sight
      fault.scrollIntoView({ block: "nearest" });
    }
  }
  if (fault) {
    if (document.readyState === "complete") {
      setTimeout(focusFault, 0);
    } else {
      window.addEventListener("load", function () { setTimeout(focusFault, 0); });
    }
  }
})();
