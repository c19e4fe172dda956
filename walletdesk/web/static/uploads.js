/* walletdesk chat files, shared by the customer widget and the agent workspace:
 * picking and pasting files, uploading them, showing pictures inline (click to enlarge) and
 * other files as links. File names are inserted with textContent, never as HTML. */
(function () {
  "use strict";
  if (!document.querySelector('link[href="/static/uploads.css"]')) {
    var css = document.createElement("link");
    css.rel = "stylesheet"; css.href = "/static/uploads.css";
    document.head.appendChild(css);
  }

  // texts from the page's catalog (localization.script_texts), in the page's language
  var TEXTS = JSON.parse((document.getElementById("wd-texts") || {}).textContent || "{}");
  function gettext(s) { return TEXTS[s] || s; }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function isPicture(a) { return /^image\/(png|jpeg|gif|webp)$/.test(a.content_type || ""); }
  function size(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function clip() {  // a paperclip that needs no emoji font
    var ns = "http://www.w3.org/2000/svg", icon = document.createElementNS(ns, "svg"), path = document.createElementNS(ns, "path");
    [["viewBox", "0 0 24 24"], ["width", "14"], ["height", "14"], ["fill", "none"], ["stroke", "currentColor"],
      ["stroke-width", "2"], ["stroke-linecap", "round"], ["aria-hidden", "true"], ["class", "wd-clip"]].forEach(function (kv) { icon.setAttribute(kv[0], kv[1]); });
    path.setAttribute("d", "M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48");
    icon.appendChild(path);
    return icon;
  }

  // the enlarged picture: one overlay, closed by a click, Escape or its button
  var overlay = null;
  function enlarge(src, alt, closeLabel) {
    if (!overlay) {
      overlay = el("div", "wd-lightbox");
      overlay.setAttribute("role", "dialog");
      overlay.setAttribute("aria-modal", "true");
      var close = el("button", "wd-lightbox-close", "×");
      close.type = "button";
      overlay.appendChild(close);
      overlay.appendChild(el("img"));
      overlay.addEventListener("click", function () { overlay.hidden = true; });
      document.addEventListener("keydown", function (e) { if (e.key === "Escape" && overlay) overlay.hidden = true; });
      document.body.appendChild(overlay);
    }
    overlay.querySelector("button").setAttribute("aria-label", closeLabel || gettext("Close"));
    var img = overlay.querySelector("img");
    img.src = src; img.alt = alt;
    overlay.hidden = false;
    overlay.querySelector("button").focus();
  }

  /* Adds a message's files to its bubble. opts.source(a) gives a Promise of the picture's URL
   * (the widget fetches with its token, the workspace links directly); opts.open(a) opens or
   * downloads any other file. */
  /* A picture that loads after its message was placed makes the thread taller: when it belongs
   * to one of the newest messages, the thread follows it to the bottom (an agent reading older
   * messages further up is left where they are). */
  function keepAtBottom(li, img) {
    var list = li.parentNode;
    if (!list) return;
    var newest = list.lastElementChild, before = newest && newest.previousElementSibling;
    if (li !== newest && li !== before && !(newest && newest.classList.contains("pending"))) return;
    if (list.scrollHeight - list.scrollTop - list.clientHeight <= img.offsetHeight + 120) {
      list.scrollTop = list.scrollHeight;
    }
  }

  function render(li, attachments, opts) {
    if (!attachments || !attachments.length) return;
    var box = el("div", "wd-files");
    attachments.forEach(function (a) {
      if (isPicture(a)) {
        var button = el("button", "wd-thumb");
        button.type = "button";
        button.title = a.filename;
        var img = el("img");
        img.alt = a.filename;
        img.dataset.attachmentId = a.id;
        button.appendChild(img);
        img.addEventListener("load", function () { keepAtBottom(li, img); });
        opts.source(a).then(function (url) {
          img.src = url;
          button.addEventListener("click", function () { enlarge(url, a.filename, opts.closeLabel); });
        }).catch(function () { button.replaceWith(el("span", "wd-file-missing", a.filename)); });
        box.appendChild(button);
      } else {
        var link = el("a", "wd-file");
        link.appendChild(clip());
        link.appendChild(document.createTextNode(" " + a.filename + " (" + size(a.size) + ")"));
        link.href = opts.href ? opts.href(a) : "#";
        link.dataset.attachmentId = a.id;
        if (opts.open) link.addEventListener("click", function (e) { e.preventDefault(); opts.open(a); });
        box.appendChild(link);
      }
    });
    li.appendChild(box);
  }

  // the text the server writes for a file sent without words: not shown twice
  function isCaptionOnly(m) {
    var files = (m.meta || {}).attachments || [];
    return files.length === 1 && m.text === "📎 " + files[0].filename;
  }

  /* Wires a composer: the paperclip button opens the picker; a pasted file (a screenshot)
   * is sent as well. onFile(file) does the upload. */
  function bind(textarea, button, input, onFile) {
    button.addEventListener("click", function () { input.click(); });
    input.addEventListener("change", function () {
      Array.prototype.forEach.call(input.files || [], onFile);
      input.value = "";
    });
    textarea.addEventListener("paste", function (e) {
      var items = (e.clipboardData && e.clipboardData.files) || [];
      if (!items.length) return;
      e.preventDefault();
      Array.prototype.forEach.call(items, onFile);
    });
  }

  /* POSTs the form; resolves with the JSON answer, rejects with an Error whose message is
   * the server's reason (and .status, 0 for a network failure: worth retrying). */
  function upload(url, form, headers) {
    return fetch(url, {method: "POST", body: form, headers: headers || {}, credentials: "same-origin"})
      .catch(function () { var err = new Error("network"); err.status = 0; throw err; })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          if (!r.ok) {
            var err = new Error(typeof data.detail === "string" ? data.detail : gettext("upload failed ({status})").replace("{status}", r.status));
            err.status = r.status;
            throw err;
          }
          return data;
        });
      });
  }

  window.WalletdeskFiles = {render: render, bind: bind, upload: upload, enlarge: enlarge,
    isCaptionOnly: isCaptionOnly, isPicture: isPicture};
})();
