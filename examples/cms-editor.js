// The CMS side of the fotoembed picker, in the few lines a WordPress,
// Drupal or Sanity plugin needs:
//
//  1. ask the CMS's own server for a picker URL (it calls fotoembed's
//     POST /v1/picker-tokens with the API key, which never reaches the
//     browser), and show it in an iframe;
//  2. listen for the picker's messages, only from fotoembed's origin and
//     only from that iframe: fotoembed:select (insert the images),
//     fotoembed:cancel (close), fotoembed:error with code token_expired
//     (get a new token and send it as fotoembed:token).
(function () {
  "use strict";
  // The CMS's server endpoint that mints a picker token (see README).
  var TOKEN_ENDPOINT = "/cms/fotoembed-picker-token";
  var dialog = document.getElementById("picker-dialog");
  var frame = document.getElementById("picker-frame");
  var editor = document.getElementById("body");
  var status = document.getElementById("editor-status");
  var fotoembedOrigin = "";
  var savedRange = null;

  function newToken() {
    return fetch(TOKEN_ENDPOINT, { method: "POST" }).then(function (res) {
      if (!res.ok) { throw new Error("the CMS could not get a picker token (" + res.status + ")"); }
      return res.json();
    });
  }

  // Remember where the cursor was: the picker takes the focus.
  document.addEventListener("selectionchange", function () {
    var sel = window.getSelection();
    if (sel.rangeCount && editor.contains(sel.getRangeAt(0).commonAncestorContainer)) {
      savedRange = sel.getRangeAt(0).cloneRange();
    }
  });

  document.getElementById("insert-image").addEventListener("click", function () {
    status.textContent = "Opening the picker…";
    newToken().then(function (t) {
      fotoembedOrigin = new URL(t.picker_url).origin;
      frame.src = t.picker_url;
      dialog.showModal();
      status.textContent = "";
    }).catch(function (err) { status.textContent = err.message; });
  });

  window.addEventListener("message", function (e) {
    // Only fotoembed's origin, only our iframe.
    if (e.origin !== fotoembedOrigin || e.source !== frame.contentWindow) { return; }
    var m = e.data || {};
    switch (m.type) {
      case "fotoembed:select":
        m.items.forEach(insert);
        close();
        status.textContent = m.items.length === 1 ? "Image inserted." : m.items.length + " images inserted.";
        break;
      case "fotoembed:cancel":
        close();
        break;
      case "fotoembed:error":
        if (m.code === "token_expired") {
          newToken().then(function (t) {
            frame.contentWindow.postMessage({ type: "fotoembed:token", token: t.token }, fotoembedOrigin);
          });
        } else {
          status.textContent = "The picker reported: " + m.message;
        }
        break;
    }
  });

  function close() {
    dialog.close();
    frame.src = "about:blank";
    editor.focus();
  }

  // insert puts the picked image where the cursor was. The HTML comes
  // from fotoembed, which escapes every value; as a second line of
  // defence only <figure>, <img> and <figcaption> with their own
  // attributes are kept.
  function insert(item) {
    var tpl = document.createElement("template");
    tpl.innerHTML = item.html;
    var allowed = { FIGURE: ["class"], IMG: ["src", "srcset", "sizes", "width", "height", "alt", "loading", "decoding", "fetchpriority", "class"], FIGCAPTION: [] };
    var walk = function (el) {
      Array.prototype.slice.call(el.children).forEach(function (c) {
        if (!allowed[c.tagName]) { c.remove(); return; }
        Array.prototype.slice.call(c.attributes).forEach(function (a) {
          if (allowed[c.tagName].indexOf(a.name) < 0) { c.removeAttribute(a.name); }
        });
        walk(c);
      });
    };
    walk(tpl.content);
    var range = savedRange;
    if (!range) {
      range = document.createRange();
      range.selectNodeContents(editor);
      range.collapse(false);
    }
    range.insertNode(tpl.content);
  }
})();
