/* Note drafter, progressive enhancement: the note updates as the reader
 * types, unfilled blanks are highlighted, Copy appears, and Copy / Email warn
 * when required blanks are empty, and the send time follows the date, time
 * and zone as they are typed. The server hands over the parsed pieces and the
 * send-time rule in a JSON data block; this file only fills the pieces (it
 * mirrors notes.blanks.fill_lines), never parses a template, and computes the
 * send time as notes.sendtime does. Nothing is sent anywhere; answers go to
 * localStorage only when the reader ticks the box. */
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

  /* Send time, as notes.sendtime computes it: arithmetic on wall-clock
   * dates and times in the reader's zone; only the final local time becomes
   * an instant. Zones through Intl.DateTimeFormat (the browser's own time-zone
   * data). A local time inside a spring-forward gap moves forward by the
   * gap; an ambiguous one takes its first occurrence (Python's fold=0). */
  var DAY_MS = 86400000;
  var WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var clocks = Object.create(null);

  function clockIn(zone) {
    if (!clocks[zone]) {
      clocks[zone] = new Intl.DateTimeFormat("en-US", {
        timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
        hour: "numeric", minute: "numeric", second: "numeric"
      });
    }
    return clocks[zone];
  }

  /* The wall clock in zone at instant ms: {y, m, d, seconds (of the day)}. */
  function wallAt(zone, ms) {
    var parts = Object.create(null);
    clockIn(zone).formatToParts(new Date(ms)).forEach(function (p) { parts[p.type] = p.value; });
    return {
      y: Number(parts.year), m: Number(parts.month), d: Number(parts.day),
      seconds: (Number(parts.hour) % 24) * 3600 + Number(parts.minute) * 60 + Number(parts.second)
    };
  }

  function dayMs(day) {
    var date = new Date(0);
    date.setUTCFullYear(day.y, day.m - 1, day.d);
    return date.getTime();
  }

  function dayOf(ms) {
    var date = new Date(ms);
    return { y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate() };
  }

  function offsetAt(zone, ms) {
    var wall = wallAt(zone, ms);
    return dayMs(wall) + wall.seconds * 1000 - ms;
  }

  /* notes.sendtime.local_instant: the instant (ms) of day + seconds in zone. */
  function localInstant(day, seconds, zone) {
    var wall = dayMs(day) + seconds * 1000;
    var before = offsetAt(zone, wall - DAY_MS);
    var after = offsetAt(zone, wall + DAY_MS);
    if (before !== after && offsetAt(zone, wall - before) !== before &&
        offsetAt(zone, wall - after) === after) {
      return wall - after;
    }
    return wall - before;
  }

  function isBusinessDay(day) {
    var weekday = new Date(dayMs(day)).getUTCDay();
    return weekday > 0 && weekday < 6;
  }

  function nextBusinessDay(day) {
    do { day = dayOf(dayMs(day) + DAY_MS); } while (!isBusinessDay(day));
    return day;
  }

  function addBusinessDays(day, count) {
    if (count === 0) return isBusinessDay(day) ? day : nextBusinessDay(day);
    for (var i = 0; i < count; i += 1) day = nextBusinessDay(day);
    return day;
  }

  function readDay(value) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
    if (!match) return null;
    var day = { y: Number(match[1]), m: Number(match[2]), d: Number(match[3]) };
    var back = dayOf(dayMs(day));
    if (back.y !== day.y || back.m !== day.m || back.d !== day.d) return null;
    return day.y >= 1900 && day.y <= 2200 ? day : null;
  }

  function readClock(value) {
    var match = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(value || "");
    if (!match || Number(match[1]) > 23 || Number(match[2]) > 59 || Number(match[3] || 0) > 59) {
      return null;
    }
    return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3] || 0);
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* notes.sendtime.overdue_message */
  function overdue(rule, at, zone, nowMs) {
    if (at >= nowMs) return "";
    var days = Math.round((dayMs(wallAt(zone, nowMs)) - dayMs(wallAt(zone, at))) / DAY_MS);
    if (days <= 0) return rule.overdue.now;
    if (days === 1) return rule.overdue.yesterday;
    return rule.overdue.days.replace("{days}", String(days));
  }

  /* The send time for rule (the page data's "send"), the date and time as the
   * inputs give them ("2025-03-07", "16:30"), an IANA zone and now (ms):
   * {at: "2025-03-10T09:00", offset (minutes east of UTC), display, reason,
   * overdue, day}, or {missing: "date" | "time"}, or null for a zone the
   * browser does not know. */
  function sendTime(rule, dateValue, timeValue, zone, nowMs) {
    var day = readDay(dateValue);
    if (!day) return { missing: "date" };
    var morning = readClock(rule.morning);
    var at, reason;
    try { clockIn(zone); } catch (e) { return null; }
    if (rule.rule === "business_days") {
      at = localInstant(addBusinessDays(day, rule.days), morning, zone);
      reason = rule.reasons.business_days.replace("{days}", String(rule.days))
        .replace("{s}", rule.days === 1 ? "" : "s");
    } else {
      var clock = readClock(timeValue);
      if (clock === null) return { missing: "time" };
      var ended = wallAt(zone, localInstant(day, clock, zone));
      if (!isBusinessDay(ended)) {
        at = localInstant(nextBusinessDay(ended), morning, zone);
        reason = rule.reasons.weekend;
      } else if (ended.seconds >= readClock(rule.late_after) ||
                 ended.seconds >= readClock(rule.end_of_day)) {
        at = localInstant(nextBusinessDay(ended), morning, zone);
        reason = rule.reasons.late;
      } else {
        at = localInstant(ended, readClock(rule.end_of_day), zone);
        reason = rule.reasons.end_of_day;
      }
    }
    var wall = wallAt(zone, at);
    var clockText = pad(Math.floor(wall.seconds / 3600)) + ":" + pad(Math.floor(wall.seconds / 60) % 60);
    var dayText = wall.y + "-" + pad(wall.m) + "-" + pad(wall.d);
    return {
      at: dayText + "T" + clockText,
      offset: offsetAt(zone, at) / 60000,
      display: WEEKDAYS[new Date(dayMs(wall)).getUTCDay()] + " " + wall.d + " " +
        MONTHS[wall.m - 1] + " " + wall.y + " at " + clockText,
      reason: reason,
      overdue: overdue(rule, at, zone, nowMs)
    };
  }

  /* The send-time area of the page for a sendTime() result. */
  function paintSend(target, rule, advice, zone) {
    var fragment = document.createDocumentFragment();
    var line = document.createElement("p");
    if (!advice || advice.missing) {
      line.className = "drafter-no-send";
      line.textContent = advice && advice.missing === "time" ? rule.no_time : rule.no_date;
    } else {
      line.className = "drafter-send";
      var when = document.createElement("strong");
      when.textContent = advice.display;
      line.append("Send it on ", when, " (" + zone + "). " + advice.reason + " ");
      if (advice.overdue) {
        var late = document.createElement("strong");
        late.className = "drafter-overdue";
        late.textContent = advice.overdue;
        line.appendChild(late);
      } else {
        var link = document.createElement("a");
        link.href = rule.reminder_url + "?" + new URLSearchParams({ at: advice.at, tz: zone });
        link.setAttribute("download", "");
        link.textContent = "Add a reminder to your calendar (.ics)";
        line.appendChild(link);
      }
    }
    fragment.appendChild(line);
    target.replaceChildren(fragment);
  }

  /* Focus el once the page has loaded: Chromium clears the focus when it
   * scrolls to the URL's fragment at load. Scroll only when the field is
   * out of sight, and as little as needed, so the message above it stays in
   * view where it can. */
  function focusAfterLoad(el) {
    function go() {
      if (document.activeElement === el) return;
      el.focus({ preventScroll: true });
      var box = el.getBoundingClientRect();
      if (box.bottom < 0 || box.top > window.innerHeight - 48) el.scrollIntoView({ block: "nearest" });
    }
    if (document.readyState === "complete") setTimeout(go, 0);
    else window.addEventListener("load", function () { setTimeout(go, 0); });
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
    var sendArea = section.querySelector("[data-send]");
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
      if (sendArea && data.send && zone) {
        var ended = form.elements.ended_date, clock = form.elements.ended_time;
        paintSend(sendArea, data.send, sendTime(data.send, ended ? ended.value : "",
          clock ? clock.value : "", zone.value, Date.now()), zone.value);
      }
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
    form.addEventListener("change", update);

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

    /* A refused post-back comes back at the drafter's fragment, where the
     * browser skips autofocus: hand the focus to the field at fault. */
    var fault = form.querySelector("[autofocus]");
    if (fault) focusAfterLoad(fault);
  }

  /* The pure parts, for tests/browser/test_blank_filling_agrees.py and
   * test_sendtime_agrees.py. */
  window.notesDrafter = {
    fillLines: fillLines, oneLine: oneLine, plain: plain, valuesFrom: valuesFrom,
    sendTime: sendTime
  };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-drafter]"), setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
