// The UI kit's behaviour (ADR 0018): menus on phones, dropdowns, toasts, Chinese date pickers, upload checks and
// progress, captcha refresh, page-size choice, article font size and print. Plain ES5, no framework, no CDN;
// every part does nothing on a page without its elements, and every page works without JavaScript.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  function each(selector, fn, scope) {
    Array.prototype.forEach.call((scope || document).querySelectorAll(selector), fn);
  }
  function closest(node, selector) {
    while (node && node.nodeType === 1) {
      if (node.matches(selector)) { return node; }
      node = node.parentNode;
    }
    return null;
  }

  // --- Menus: the portal's collapsed header and the workbench's side drawer -----------------------------------
  function setOpen(navRoot, open) {
    navRoot.classList.toggle("is-open", open);
    each("[data-nav-toggle]", function (button) { button.setAttribute("aria-expanded", open ? "true" : "false"); }, navRoot);
    each("[data-nav-close]", function (backdrop) { backdrop.hidden = !open; }, navRoot);
  }
  document.addEventListener("click", function (event) {
    var toggle = closest(event.target, "[data-nav-toggle]");
    if (toggle) {
      var navRoot = closest(toggle, "[data-nav-root]");
      if (navRoot) { setOpen(navRoot, !navRoot.classList.contains("is-open")); }
      return;
    }
    var close = closest(event.target, "[data-nav-close]");
    if (close) { setOpen(closest(close, "[data-nav-root]"), false); }
    // Dropdowns (<details data-dropdown>) close when the person clicks elsewhere.
    each("details[data-dropdown][open]", function (details) {
      if (!details.contains(event.target)) { details.removeAttribute("open"); }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    each("[data-nav-root].is-open", function (navRoot) { setOpen(navRoot, false); });
    each("details[data-dropdown][open]", function (details) {
      details.removeAttribute("open");
      var summary = details.querySelector("summary");
      if (summary) { summary.focus(); }
    });
  });

  // --- Toasts: success and info fade after a few seconds; errors stay until closed ------------------------------
  function dismiss(toast) {
    toast.classList.add("is-leaving");
    window.setTimeout(function () { if (toast.parentNode) { toast.parentNode.removeChild(toast); } }, 300);
  }
  each("[data-toast]", function (toast) {
    var button = toast.querySelector("[data-toast-close]");
    if (button) { button.addEventListener("click", function () { dismiss(toast); }); }
    if (toast.classList.contains("toast-success") || toast.classList.contains("toast-info")) {
      window.setTimeout(function () { dismiss(toast); }, 4500);
    }
  });

  // --- Dates: the vendored flatpickr with its zh locale, YYYY-MM-DD as the server reads it ---------------------
  if (window.flatpickr) {
    var zh = window.flatpickr.l10ns && window.flatpickr.l10ns.zh;
    var locale = "default";
    if (zh) { // weeks start on Monday in China
      locale = {};
      Object.keys(zh).forEach(function (key) { locale[key] = zh[key]; });
      locale.firstDayOfWeek = 1;
    }
    each("input[data-date-picker]", function (input) {
      if (input._flatpickr) { return; }
      window.flatpickr(input, {
        locale: locale,
        animate: false,
        dateFormat: "Y-m-d",
        allowInput: true,
        disableMobile: false,
        onChange: function (_dates, text) {
          var range = closest(input, "[data-date-range]");
          if (!range) { return; }
          var end = range.querySelector('input[data-date-picker="end"]');
          var start = range.querySelector('input[data-date-picker="start"]');
          if (input === start && end && end._flatpickr) { end._flatpickr.set("minDate", text || null); }
          if (input === end && start && start._flatpickr) { start._flatpickr.set("maxDate", text || null); }
        }
      });
    });
  }

  // --- Page size: choosing it reloads the list -----------------------------------------------------------------
  each("form[data-auto-submit] select", function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // --- Captcha: 换一张 (django-simple-captcha's refresh URL answers a new key and picture) ---------------------
  function refreshCaptcha(group) {
    var button = group.querySelector("[data-captcha-refresh]");
    if (!button || !window.fetch) { return; }
    fetch(button.getAttribute("data-captcha-refresh"), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest", "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (body) {
      var image = group.querySelector("img[data-captcha-image]");
      var key = group.querySelector('input[type="hidden"]');
      var answer = group.querySelector('input[type="text"], input:not([type])');
      if (image) { image.src = body.image_url; }
      if (key) { key.value = body.key; }
      if (answer) { answer.value = ""; answer.focus(); }
    }).catch(function () { /* the old picture stays; the form still works */ });
  }
  document.addEventListener("click", function (event) {
    var trigger = closest(event.target, "[data-captcha-refresh], img[data-captcha-image]");
    if (!trigger) { return; }
    var group = closest(trigger, ".captcha-group");
    if (group) { event.preventDefault(); refreshCaptcha(group); }
  });

  // --- Uploads: size checked before sending, progress while sending, the server's answer in place ----------------
  // Without JavaScript the form posts as usual. With it, the file goes by XMLHttpRequest so the bar can follow the
  // bytes; the server still decides: a refusal (its form again, with errors) replaces only the form, so the page and
  // its place stay and the field shows the server's message; any other answer (the page it redirected to after an
  // accepted upload, an error page) is shown as the whole page, as a plain post would have shown it.
  function sizeText(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }
  function fieldError(input, text) {
    var control = closest(input, ".field-control") || input.parentNode;
    var message = control.querySelector(".upload-error");
    if (!text) {
      if (message) { message.parentNode.removeChild(message); }
      input.setCustomValidity("");
      return;
    }
    if (!message) {
      message = document.createElement("span");
      message.className = "field-error upload-error";
      message.setAttribute("role", "alert");
      control.appendChild(message);
    }
    message.textContent = text;
    input.setCustomValidity(text);
  }
  function tooLarge(input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    var file = input.files && input.files[0];
    if (file && limit && file.size > limit) {
      return "文件过大（" + sizeText(file.size) + "），请上传不超过 " + sizeText(limit) + " 的文件。";
    }
    return "";
  }
  function watchUpload(input) {
    input.addEventListener("change", function () { fieldError(input, tooLarge(input)); });
  }
  each("input[type=file][data-upload]", watchUpload);
  function showProgress(control, value, text) {
    var progress = control.querySelector(".upload-progress");
    if (!progress) { return; }
    var bar = progress.querySelector("progress");
    var percent = progress.querySelector(".upload-percent");
    progress.hidden = false;
    if (bar && value !== null) { bar.value = value; }
    if (percent) { percent.textContent = text; }
  }
  function withoutFragment(url) { return String(url || "").split("#")[0]; }
  function showWholePage(request, html) {
    if (request.responseURL && withoutFragment(request.responseURL) !== withoutFragment(window.location.href)) {
      window.history.replaceState(null, "", request.responseURL);
    }
    document.open();
    document.write(html);
    document.close();
  }
  // The server's form again with errors: the same form, refused. Anything else is a page to show.
  function refusedForm(form, html) {
    if (!form.id || !window.DOMParser) { return null; }
    var answer = new window.DOMParser().parseFromString(html, "text/html");
    var fresh = answer.getElementById(form.id);
    if (!fresh || fresh.tagName !== "FORM" || !fresh.querySelector(".field-error, .errors")) { return null; }
    return document.importNode(fresh, true);
  }
  function putRefusal(form, fresh) {
    form.parentNode.replaceChild(fresh, form);
    each("input[type=file][data-upload]", watchUpload, fresh);
    var wrong = fresh.querySelector(".has-error input, .has-error select, .has-error textarea") ||
      fresh.querySelector("input[type=file][data-upload]");
    if (wrong) { wrong.focus(); }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var input = form.querySelector && form.querySelector("input[type=file][data-upload]");
    if (!input || event.defaultPrevented || !input.files || !input.files.length || !window.XMLHttpRequest || !window.FormData) {
      return;
    }
    var problem = tooLarge(input);
    if (problem) { event.preventDefault(); fieldError(input, problem); return; }
    event.preventDefault();
    var data = new FormData(form);
    var submitter = event.submitter || form.querySelector("button[type=submit][name], input[type=submit][name]");
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    var control = closest(input, ".field-control") || form;
    var buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
    var busy = function (on) { Array.prototype.forEach.call(buttons, function (b) { b.disabled = on; }); };
    fieldError(input, "");
    busy(true);
    form.setAttribute("aria-busy", "true");
    showProgress(control, 0, "已上传 0%");
    var request = new XMLHttpRequest();
    request.open((form.getAttribute("method") || "post").toUpperCase(), form.action || window.location.href);
    request.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) { return; }
      var value = Math.round(e.loaded * 100 / e.total);
      showProgress(control, value, "已上传 " + value + "%");
    });
    request.upload.addEventListener("load", function () {
      showProgress(control, 100, "已上传 100%，正在校验文件…");
    });
    request.addEventListener("load", function () {
      var html = request.responseText || "";
      var fresh = refusedForm(form, html);
      if (fresh) { putRefusal(form, fresh); return; }
      showWholePage(request, html);
    });
    var failed = function () {
      busy(false);
      form.removeAttribute("aria-busy");
      showProgress(control, null, "上传失败，请检查网络后重试。");
    };
    request.addEventListener("error", failed);
    request.addEventListener("abort", failed);
    request.addEventListener("timeout", failed);
    request.send(data);
  });

  // --- Articles: font size (remembered) and print ------------------------------------------------------------------
  var article = document.querySelector("article[data-font-size]");
  if (article) {
    var saved = null;
    try { saved = window.localStorage.getItem("ui.articleFontSize"); } catch (e) { saved = null; }
    var setSize = function (size) {
      article.setAttribute("data-font-size", size);
      each("[data-set-font-size]", function (button) {
        button.setAttribute("aria-pressed", button.getAttribute("data-set-font-size") === size ? "true" : "false");
      });
      try { window.localStorage.setItem("ui.articleFontSize", size); } catch (e) { /* private mode */ }
    };
    if (saved) { setSize(saved); }
    each("[data-set-font-size]", function (button) {
      button.addEventListener("click", function () { setSize(button.getAttribute("data-set-font-size")); });
    });
  }
  each("[data-print]", function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
