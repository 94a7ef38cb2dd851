// fotoembed web UI: search FotoWeb through the service, pick an asset, set
// alt text and options, see the live image and copy the HTML, URL or
// oEmbed URL. Shared parts are in browse.js.
(function () {
  "use strict";
  var F = Fotoembed, $ = F.$;
  var keyInput = $("api-key");
  var key = "";

  // The API key may arrive in the URL fragment (#key=...), which browsers
  // never send to a server; it is then kept for this tab only.
  var m = /(?:^|[#&])key=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem("fotoembed-key", decodeURIComponent(m[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  key = sessionStorage.getItem("fotoembed-key") || "";
  keyInput.value = key;

  var api = F.client(function () { return key; });
  var picked = null;

  var browser = new F.Browser({
    api: api,
    onPick: pick,
    onAuthError: keyRefused,
    selected: function (ref) { return picked !== null && picked.ref === ref; }
  });
  var composer = new F.Composer({ api: api, onResult: show, onClear: clearOutputs, onAuthError: keyRefused });

  // The key states: none (a welcome that says what to do), refused (at
  // the field, results and outputs cleared), accepted.
  function setKey(k) {
    key = k.trim();
    if (key) { sessionStorage.setItem("fotoembed-key", key); } else { sessionStorage.removeItem("fotoembed-key"); }
    keyInput.removeAttribute("aria-invalid");
    $("key-status").textContent = "";
    document.body.classList.toggle("no-key", !key);
    $("welcome").hidden = !!key;
    $("browse").hidden = !key;
    closeCompose();
    if (key) { browser.start(); } else { browser.clear(""); keyInput.focus(); }
  }

  function keyRefused() {
    keyInput.setAttribute("aria-invalid", "true");
    $("key-status").textContent = "This API key was not accepted.";
    browser.enabled = false;
    closeCompose();
  }

  $("key-form").addEventListener("submit", function (e) {
    e.preventDefault();
    setKey(keyInput.value);
  });
  keyInput.addEventListener("change", function () {
    if (keyInput.value.trim() !== key) { setKey(keyInput.value); }
  });
  $("key-forget").addEventListener("click", function () {
    keyInput.value = "";
    setKey("");
  });

  function closeCompose() {
    picked = null;
    $("compose").hidden = true;
    document.body.classList.remove("composing");
    clearOutputs();
    composer.asset = null;
  }

  function pick(asset, button) {
    document.querySelectorAll(".pick[aria-pressed=true]").forEach(function (el) {
      el.setAttribute("aria-pressed", "false");
    });
    button.setAttribute("aria-pressed", "true");
    picked = asset;
    F.showCompose(button);
    composer.set(asset);
  }

  // The direct-delivery field says what it holds, and warns.
  var urlLabels = { signed: "Signed URL", export: "Export URL (public, permanent)", direct: "Direct FotoWeb URL (holds a FotoWeb token)" };
  function labelURL() {
    var d = $("delivery").value;
    $("out-url-label").textContent = urlLabels[d] || "URL";
    $("out-url-warning").hidden = d !== "direct";
    $("out-url").setAttribute("aria-describedby", d === "direct" ? "out-url-warning" : "out-url-label");
  }
  $("delivery").addEventListener("change", labelURL);
  labelURL();

  // clearOutputs empties everything a render made: nothing stale can be
  // copied.
  function clearOutputs() {
    F.clearPreview();
    ["out-html", "out-url", "out-oembed"].forEach(function (id) { $(id).value = ""; });
    $("oembed-note").textContent = "";
    document.querySelectorAll("button.copy").forEach(function (b) { b.disabled = true; });
    document.querySelectorAll(".copy-status").forEach(function (s) { s.textContent = ""; });
  }

  function show(r) {
    labelURL();
    $("out-html").value = r.html;
    $("out-url").value = r.url;
    $("out-oembed").value = r.oembed || "";
    $("oembed-note").textContent = r.oembed ? "Paste it into a CMS that embeds by URL (WordPress, Drupal)." :
      "No oEmbed URL: this image's archive is not public.";
    document.querySelectorAll("button.copy").forEach(function (b) { b.disabled = !$(b.dataset.copy).value; });
  }

  // Copy feedback appears at the button that was pressed.
  document.querySelectorAll("button.copy").forEach(function (b) {
    b.addEventListener("click", function () {
      var field = $(b.dataset.copy), note = $(b.dataset.copy + "-copied");
      var done = function (ok) {
        document.querySelectorAll(".copy-status").forEach(function (s) { s.textContent = ""; });
        note.textContent = ok ? "Copied ✓" : "Press Ctrl+C (⌘C) to copy the selected text";
        b.classList.toggle("copied", ok);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () { done(true); }, function () { done(legacyCopy(field)); });
      } else {
        done(legacyCopy(field));
      }
    });
  });

  function legacyCopy(field) {
    field.focus();
    field.select();
    try { return document.execCommand("copy"); } catch (ignored) { return false; }
  }

  setKey(key);
})();
