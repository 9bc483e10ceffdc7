// Forms that ask before they submit: <form data-confirm="question">, or a submit button with its own data-confirm
// (删除 next to a file inside a larger form). The question is shown in the page's own <dialog id="confirm-dialog">
// (ui/_confirm_dialog.html: 取消 is focused first, Esc cancels); browsers without <dialog> fall back to
// window.confirm. No inline handlers: the Content-Security-Policy does not run them.
(function () {
  "use strict";

  function confirmed(form, submitter) {
    form.dataset.confirmed = "1";
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit(submitter || undefined);
      return;
    }
    if (submitter && submitter.name) { // form.submit() drops the clicked button's name and value
      var carry = document.createElement("input");
      carry.type = "hidden";
      carry.name = submitter.name;
      carry.value = submitter.value;
      form.appendChild(carry);
    }
    form.submit();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // A destructive button inside a larger form (删除 next to an uploaded file) asks its own question.
    var asking = event.submitter && event.submitter.dataset ? event.submitter.dataset.confirm : undefined;
    var question = asking || (form.dataset ? form.dataset.confirm : undefined);
    if (!question) { return; }
    if (form.dataset.confirmed === "1") { // the second, confirmed submission
      delete form.dataset.confirmed;
      return;
    }
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      if (!window.confirm(question)) { event.preventDefault(); }
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter;
    dialog.querySelector("#confirm-dialog-message").textContent = question;
    dialog.returnValue = "";
    dialog.addEventListener("close", function () {
      if (dialog.returnValue === "ok") { confirmed(form, submitter); }
    }, { once: true });
    dialog.showModal();
    var cancel = dialog.querySelector("[data-confirm-cancel]");
    if (cancel) { cancel.focus(); }
  }, true);
})();
