// 服务券活动: the countdown to a grab type's start (templates/vouchers/activities/detail.html).
// Each [data-countdown] holds the start (ISO 8601) and the server's time when the page was drawn
// ([data-server-now]), so the count follows the server's clock, not the visitor's. Without JavaScript the element
// simply shows the start as a date and the 立即抢券 button stays disabled until the page is reloaded after the start.
// At zero the button of the countdown's form ([data-for] = the form's id) is enabled. Words come from the page
// (data-running-label, data-open-label, data-days-label), translated there.
(function () {
  "use strict";
  var nodes = document.querySelectorAll("[data-countdown]");
  if (!nodes.length) { return; }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function text(ms, daysLabel) {
    var seconds = Math.max(0, Math.floor(ms / 1000));
    var days = Math.floor(seconds / 86400);
    seconds -= days * 86400;
    var clock = pad(Math.floor(seconds / 3600)) + ":" + pad(Math.floor((seconds % 3600) / 60)) + ":" + pad(seconds % 60);
    return days > 0 ? days + " " + daysLabel + " " + clock : clock;
  }

  var items = [];
  Array.prototype.forEach.call(nodes, function (node) {
    var target = Date.parse(node.getAttribute("data-countdown"));
    var serverNow = Date.parse(node.getAttribute("data-server-now"));
    var left = node.querySelector("[data-countdown-left]");
    var label = node.querySelector("[data-countdown-label]");
    if (isNaN(target) || !left) { return; }
    if (label) { label.textContent = node.getAttribute("data-running-label") || label.textContent; }
    var skew = isNaN(serverNow) ? 0 : serverNow - Date.now(); // server clock − this clock
    items.push({
      node: node, target: target, skew: skew, left: left, label: label, done: false,
      openLabel: node.getAttribute("data-open-label") || "",
      daysLabel: node.getAttribute("data-days-label") || "d"
    });
  });

  function open(item) {
    item.done = true;
    item.left.textContent = item.openLabel;
    if (item.label) { item.label.textContent = ""; }
    item.node.classList.add("is-open");
    var form = document.getElementById(item.node.getAttribute("data-for") || "");
    var button = form && form.querySelector("[data-grab-button]");
    if (button) { button.disabled = false; }
  }

  function tick() {
    var pending = false;
    items.forEach(function (item) {
      if (item.done) { return; }
      var remaining = item.target - (Date.now() + item.skew);
      if (remaining <= 0) { open(item); return; }
      pending = true;
      item.left.textContent = text(remaining, item.daysLabel);
    });
    if (pending) { window.setTimeout(tick, 1000 - (Date.now() % 1000) + 5); }
  }
  tick();
})();
