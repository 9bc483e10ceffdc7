// Saves the profile form as a server-side draft while the person types (no framework, no CDN).
(function () {
  "use strict";
  var form = document.getElementById("profile-form");
  if (!form) { return; }
  var status = document.getElementById("draft-status");
  var timer = null;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function collect() {
    var data = {};
    new FormData(form).forEach(function (value, key) {
      if (key === "csrfmiddlewaretoken") { return; }
      if (Object.prototype.hasOwnProperty.call(data, key)) {
        data[key] = [].concat(data[key], value);
      } else {
        data[key] = form.querySelectorAll('[name="' + key + '"][type=checkbox]').length ? [value] : value;
      }
    });
    return data;
  }

  function save() {
    fetch(form.dataset.draftUrl, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ data: collect() })
    }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    }).then(function (body) {
      status.textContent = "草稿已自动保存 " + new Date(body.updated_at).toLocaleTimeString("zh-CN", { hour12: false });
      status.dataset.saved = body.updated_at;
    }).catch(function () {
      status.textContent = "草稿保存失败，请检查网络。";
    });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 600);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
})();
