/* The listing edit page's draft auto-save (progressive enhancement, no inline script: CSP). Like the registration
   profile's draft-autosave.js: about 2 s after the last change, and when the page is hidden or left, the form's
   fields WITHOUT files are posted to [data-autosave-url] (listing_views.listing_autosave → listings.listing_update,
   the service of 保存草稿). The answer carries the new form version, copied into the hidden `listing-version` so
   the final 保存草稿 / 提交审核 is not refused as stale. The status line (#draft-status, aria-live polite) shows the
   server's "已自动保存 14:32" or "自动保存失败：<reason>". Without JavaScript nothing changes. */
(function () {
  "use strict";
  var DELAY = 2000;

  function init() {
    if (!document.getElementById("listing-form") || !window.fetch || !window.FormData) return;
    var timer = null;
    var inflight = null;
    var changes = 0; // edits seen so far
    var saved = 0; // edits the server has
    var submitting = false;
    var current = null; // the form element last edited (ui.js swaps in the server's form after a refused upload)

    // Looked up on every use: after a refused upload ui.js replaces the form with the one the server answered.
    function theForm() {
      var form = document.getElementById("listing-form");
      return form && form.getAttribute("data-autosave-url") ? form : null;
    }

    function show(text, failed) {
      var status = document.getElementById("draft-status");
      if (!status) return;
      status.textContent = text || status.getAttribute("data-offline") || "";
      status.setAttribute("data-state", failed ? "failed" : "saved");
      status.classList.toggle("error", !!failed);
    }

    function payload(form) {
      var out = new FormData();
      new FormData(form).forEach(function (value, key) {
        if (typeof value !== "string") return; // files are uploaded by 保存草稿 only
        if (key === "listing-media_remove") return; // removing media stays an explicit save
        out.append(key, value);
      });
      return out;
    }

    function save(leaving) {
      window.clearTimeout(timer);
      timer = null;
      var form = theForm();
      if (!form || submitting || inflight || changes === saved) return;
      var sent = changes;
      var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
      inflight = fetch(form.getAttribute("data-autosave-url"), {
        method: "POST",
        credentials: "same-origin",
        redirect: "error", // a signed-out session is a failure, not the login page
        keepalive: !!leaving,
        headers: { "X-CSRFToken": csrf ? csrf.value : "", Accept: "application/json" },
        body: payload(form)
      })
        .then(function (response) {
          return response.json().then(
            function (answer) { return { ok: response.ok, answer: answer || {} }; },
            function () { return { ok: false, answer: {} }; }
          );
        })
        .then(
          function (result) {
            if (result.ok) {
              saved = sent;
              var version = (theForm() || form).querySelector('input[name="listing-version"]');
              if (version && result.answer.version != null) version.value = result.answer.version;
              show(result.answer.message, false);
            } else {
              show(result.answer.message, true);
            }
          },
          function () { show("", true); }
        )
        .then(function () {
          inflight = null;
          if (changes !== sent && !submitting) schedule(); // edited while the save was on its way
        });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, DELAY);
    }

    function changed(event) {
      var form = theForm();
      if (!form || !form.contains(event.target)) return;
      if (form !== current) { current = form; submitting = false; }
      changes += 1;
      schedule();
    }

    document.addEventListener("input", changed);
    document.addEventListener("change", changed);
    document.addEventListener("click", function (event) {
      // the intro block editor's add / move / remove buttons change the blocks without an input event
      var target = event.target;
      if (target && target.closest && target.closest("[data-intro-editor] button")) changed(event);
    });
    // Capture phase: before ui.js (which may send the form itself when it carries a file).
    document.addEventListener("submit", function (event) {
      var form = theForm();
      if (!form || event.target !== form) return;
      window.clearTimeout(timer);
      timer = null;
      if (inflight && form.requestSubmit) {
        // let the running save answer first: the button then posts the version it returned
        event.preventDefault();
        event.stopPropagation();
        var submitter = event.submitter || null;
        inflight.then(function () {
          submitting = true;
          form.requestSubmit(submitter);
        });
        return;
      }
      submitting = true;
    }, true);
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) submitting = false; // back from the page cache
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") save(true);
    });
    window.addEventListener("pagehide", function () { save(true); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
