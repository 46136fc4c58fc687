/* Note drafter, progressive enhancement: the note updates as the reader
 * types, unfilled blanks are highlighted, Copy appears, and Copy / Email warn
 * when required blanks are empty. The server hands over the parsed pieces in
 * a JSON data block; this file only fills them (it mirrors
 * notes.blanks.fill_lines) and never parses a template. Nothing is sent
 * anywhere; answers go to localStorage only when the reader ticks the box. */
(function () {
  "use strict";

  /* White space and line breaks as the server reads them (Python's
   * str.isspace() and str.splitlines()), not JavaScript's trim(), so the
   * preview and the posted-back note agree on every value. */
  var SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var EDGES = new RegExp("^[" + SPACE + "]+|[" + SPACE + "]+$", "g");
  var LINE_BREAK = /\r\n|[\n\v\f\r\x1c-\x1e\x85\u2028\u2029]/;

  function strip(value) {
    return value.replace(EDGES, "");
  }

  function oneLine(value) {
    return (value || "").split(LINE_BREAK).join(" ");
  }

  function isEmpty(value) {
    return !value || !strip(value);
  }

  function isBlankLine(line) {
    return line.every(function (p) {
      return p.text !== undefined && !strip(p.text);
    });
  }

  /* [[blank key, typed value], ...] -> the values fillLines reads. A map
   * without a prototype, so a blank named [__proto__] or [constructor] is
   * just a name. */
  function valuesFrom(pairs) {
    var out = Object.create(null);
    pairs.forEach(function (pair) { out[pair[0]] = oneLine(pair[1]); });
    return out;
  }

  /* Pieces + values -> lines of {text, state}; same rules as the server. */
  function fillLines(pieces, values) {
    var lines = [[]];
    pieces.forEach(function (p) {
      if (p.newline) lines.push([]);
      else lines[lines.length - 1].push(p);
    });
    var dropped = lines.map(function (line) {
      var optional = line.filter(function (p) { return p.blank !== undefined && p.optional; });
      return optional.length > 0 && optional.every(function (p) { return isEmpty(values[p.blank]); });
    });
    var extra = {};
    var i = 0;
    while (i < lines.length) {
      if (!dropped[i]) { i += 1; continue; }
      var j = i;
      while (j < lines.length && dropped[j]) j += 1;
      var beforeGap = i === 0 || isBlankLine(lines[i - 1]);
      var afterGap = j === lines.length || isBlankLine(lines[j]);
      if (beforeGap && afterGap) {
        if (j < lines.length) extra[j] = true;
        else if (i > 0) extra[i - 1] = true;
      }
      i = j;
    }
    var result = [];
    lines.forEach(function (line, index) {
      if (dropped[index] || extra[index]) return;
      result.push(line.map(function (p) {
        if (p.text !== undefined) return { text: p.text, state: "text" };
        if (isEmpty(values[p.blank])) return { text: p.source, state: "empty" };
        return { text: strip(values[p.blank]), state: "filled" };
      }));
    });
    return result;
  }

  function plain(lines) {
    return lines.map(function (line) {
      return line.map(function (s) { return s.text; }).join("");
    }).join("\n");
  }

  function paint(target, lines) {
    var fragment = document.createDocumentFragment();
    lines.forEach(function (line, index) {
      if (index > 0) fragment.appendChild(document.createTextNode("\n"));
      line.forEach(function (s) {
        if (s.state === "text") {
          fragment.appendChild(document.createTextNode(s.text));
          return;
        }
        var node = document.createElement(s.state === "filled" ? "span" : "mark");
        node.className = s.state === "filled" ? "blank-filled" : "blank-empty";
        if (s.state === "filled") node.dir = "auto";
        node.textContent = s.text;
        fragment.appendChild(node);
      });
    });
    target.replaceChildren(fragment);
  }

  function mailto(subject, body) {
    var parts = [];
    if (subject) parts.push("subject=" + encodeURIComponent(subject));
    parts.push("body=" + encodeURIComponent(body.split("\n").join("\r\n")));
    return "mailto:?" + parts.join("&");
  }

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function setUp(section) {
    var dataNode = document.getElementById(section.getAttribute("data-drafter"));
    if (!dataNode) return;
    var data = JSON.parse(dataNode.textContent);
    var form = section.querySelector("form");
    var preview = section.querySelector("[data-preview]");
    var subjectPreview = section.querySelector("[data-subject-preview]");
    var text = section.querySelector("[data-plain]");
    var mail = section.querySelector("[data-mailto]");
    var copy = section.querySelector("[data-copy]");
    var warning = section.querySelector("[data-warning]");
    var remember = section.querySelector("[data-remember]");
    var zone = section.querySelector("[data-timezone]");
    var store = storage();
    var storeKey = "notes:" + data.slug;
    var armed = null;
    var inputs = Object.create(null);
    data.blanks.forEach(function (b) { inputs[b.key] = form.elements[b.field]; });

    function values() {
      return valuesFrom(data.blanks.map(function (b) {
        return [b.key, inputs[b.key] ? inputs[b.key].value : ""];
      }));
    }

    function missing(vals) {
      return data.blanks.filter(function (b) { return b.required && isEmpty(vals[b.key]); });
    }

    function say(message) {
      warning.textContent = message;
      warning.hidden = !message;
    }

    function update() {
      var vals = values();
      var body = fillLines(data.body, vals);
      var subject = fillLines(data.subject, vals);
      paint(preview, body);
      if (subjectPreview) paint(subjectPreview, subject);
      text.value = plain(body);
      mail.href = mailto(plain(subject), text.value);
      armed = null;
      say("");
      if (remember && remember.checked && store) {
        try { store.setItem(storeKey, JSON.stringify(vals)); } catch (e) { /* storage full or off */ }
      }
    }

    /* First press with required blanks empty: warn and stop. A second
     * press of the same button goes ahead. */
    function checkMissing(action) {
      var gaps = missing(values());
      if (!gaps.length || armed === action) return true;
      armed = action;
      say("Still blank: " + gaps.map(function (b) { return b.label; }).join(", ") +
        ". Fill them in, or press " + action + " again to go ahead anyway.");
      var first = inputs[gaps[0].key];
      if (first) first.focus();
      return false;
    }

    form.addEventListener("input", update);

    mail.addEventListener("click", function (event) {
      if (!checkMissing("Email")) event.preventDefault();
    });

    if (navigator.clipboard && copy) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        if (!checkMissing("Copy")) return;
        navigator.clipboard.writeText(text.value).then(function () {
          say("Copied. Paste it into your e-mail.");
        }, function () {
          text.select();
          say("Could not copy; the text is selected, press Ctrl+C or ⌘C.");
        });
      });
    }

    if (zone && !section.hasAttribute("data-posted")) {
      var own = "";
      try { own = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { own = ""; }
      if (own) {
        var known = Array.prototype.some.call(zone.options, function (o) { return o.value === own; });
        if (!known) zone.insertBefore(new Option(own.replace(/_/g, " "), own), zone.firstChild);
        zone.value = own;
      }
    }

    if (remember && store) {
      section.querySelector("[data-remember-wrap]").hidden = false;
      var saved = null;
      try { saved = JSON.parse(store.getItem(storeKey) || "null"); } catch (e) { saved = null; }
      if (saved && typeof saved === "object") {
        remember.checked = true;
        data.blanks.forEach(function (b) {
          var input = inputs[b.key];
          if (input && !input.value && typeof saved[b.key] === "string") input.value = saved[b.key];
        });
      }
      remember.addEventListener("change", function () {
        if (remember.checked) update();
        else store.removeItem(storeKey);
      });
    }

    update();
  }

  /* The pure filler, for tests/browser/test_blank_filling_agrees.py. */
  window.notesDrafter = {
    fillLines: fillLines, oneLine: oneLine, plain: plain, valuesFrom: valuesFrom
  };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-drafter]"), setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
