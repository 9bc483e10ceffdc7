/* The listing form's intro-page block editor (progressive enhancement, no inline script: CSP).
   Without JavaScript the JSON textarea [data-intro-source] is the editor; with it, the textarea is hidden and kept
   in sync with a list of blocks (banner, highlights, description, gallery, support) that can be added, removed and
   moved up or down. The server validates the result (listings.intro_blocks_checked). */
(function () {
  "use strict";
  var FIELDS = {
    banner: [["title", "标题", "text"], ["text", "文字", "area"], ["media", "图片素材编号", "number"]],
    highlights: [["items", "亮点（每行一条）", "lines"]],
    description: [["text", "商品说明", "area"]],
    gallery: [["media", "截图/视频素材编号（逗号分隔）", "numbers"]],
    support: [["hours", "服务时间", "text"], ["scope", "服务范围", "area"], ["hotline", "服务热线", "text"], ["email", "服务邮箱", "text"]]
  };

  function init() {
    var host = document.querySelector("[data-intro-editor]");
    var source = document.querySelector("[data-intro-source]");
    if (!host || !source) return;
    var blocks;
    try { blocks = JSON.parse(source.value || "[]"); } catch (e) { return; } // keep the textarea when it is not JSON
    if (!Array.isArray(blocks)) return;
    var labels = {};
    (host.getAttribute("data-block-types") || "").split(";").forEach(function (pair) {
      var i = pair.indexOf(":");
      if (i > 0) labels[pair.slice(0, i)] = pair.slice(i + 1);
    });
    var texts = { title: "商品介绍页模块", up: "上移", down: "下移", remove: "删除", fields: {} };
    try { texts = JSON.parse(host.getAttribute("data-texts") || "null") || texts; } catch (e) { /* keep defaults */ }
    var fieldWrap = source.closest(".field") || source.parentNode;
    if (fieldWrap.classList.contains("has-error")) return; // show the server's message with the JSON as typed
    fieldWrap.hidden = true;
    host.hidden = false;

    function sync() { source.value = JSON.stringify(blocks); }

    function input(block, spec) {
      var name = spec[0], kind = spec[2], value = block.value[name], el;
      if (kind === "area" || kind === "lines") {
        el = document.createElement("textarea");
        el.rows = 3;
        el.value = kind === "lines" ? (value || []).join("\n") : (value || "");
      } else {
        el = document.createElement("input");
        el.type = "text";
        el.value = kind === "numbers" ? (value || []).join(",") : (value == null ? "" : value);
      }
      el.addEventListener("input", function () {
        var raw = el.value;
        if (kind === "lines") block.value[name] = raw.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
        else if (kind === "numbers") block.value[name] = raw.split(/[,，\s]+/).filter(Boolean).map(Number);
        else if (kind === "number") block.value[name] = raw.trim() ? Number(raw.trim()) : null;
        else block.value[name] = raw;
        sync();
      });
      var label = document.createElement("label");
      label.className = "intro-field";
      var span = document.createElement("span");
      span.textContent = (texts.fields || {})[block.type + "." + name] || spec[1];
      label.appendChild(span);
      label.appendChild(el);
      return label;
    }

    function button(text, action, cls) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = cls || "button-plain";
      b.textContent = text;
      b.addEventListener("click", action);
      return b;
    }

    function render() {
      host.textContent = "";
      var title = document.createElement("p");
      title.className = "intro-editor-title";
      title.textContent = texts.title;
      host.appendChild(title);
      blocks.forEach(function (block, index) {
        block.value = block.value || {};
        var card = document.createElement("div");
        card.className = "intro-block-edit";
        card.setAttribute("data-block-type", block.type);
        var head = document.createElement("div");
        head.className = "intro-block-head";
        var name = document.createElement("strong");
        name.textContent = (index + 1) + ". " + (labels[block.type] || block.type);
        head.appendChild(name);
        head.appendChild(button(texts.up, function () { move(index, -1); }));
        head.appendChild(button(texts.down, function () { move(index, 1); }));
        head.appendChild(button(texts.remove, function () { blocks.splice(index, 1); sync(); render(); }, "button-plain danger"));
        card.appendChild(head);
        (FIELDS[block.type] || []).forEach(function (spec) { card.appendChild(input(block, spec)); });
        host.appendChild(card);
      });
      var add = document.createElement("div");
      add.className = "intro-add";
      Object.keys(FIELDS).forEach(function (type) {
        add.appendChild(button("+ " + (labels[type] || type), function () {
          blocks.push({ type: type, value: {} });
          sync();
          render();
        }));
      });
      host.appendChild(add);
    }

    function move(index, delta) {
      var to = index + delta;
      if (to < 0 || to >= blocks.length) return;
      var item = blocks.splice(index, 1)[0];
      blocks.splice(to, 0, item);
      sync();
      render();
    }

    render();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
