// fotoembed picker: a page a CMS embeds in an iframe (or opens as a
// popup). The editor searches, picks, sets alt text, width and figure,
// and the result goes to the CMS by postMessage, to the one origin the
// page was opened for (the server lets only that origin frame it).
// Messages from any other window or origin are ignored. The protocol is
// in the README ("The picker").
(function () {
  "use strict";
  var F = Fotoembed, $ = F.$;
  var body = document.body;
  var origin = body.dataset.origin;
  var token = body.dataset.token || "";
  var multiple = body.dataset.multiple === "true";
  var parentWin = window.parent !== window ? window.parent : window.opener;
  var VERSION = 1;

  // send posts a message to the CMS: to its origin only, never "*".
  function send(type, payload) {
    if (!parentWin || !origin) { return; }
    parentWin.postMessage(Object.assign({ type: "fotoembed:" + type, version: VERSION }, payload || {}), origin);
  }

  $("cancel").addEventListener("click", function () { send("cancel"); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !e.defaultPrevented) { send("cancel"); }
  });

  if ($("fatal")) { // the page could not open: say why, and nothing else
    send("error", { code: "bad_request", message: $("fatal").textContent });
    return;
  }

  var api = F.client(function () { return token; });
  var selected = []; // picked assets, in the order picked
  var current = null; // the asset the form shows
  var result = null; // the current asset's render
  var waiting = null; // what to do again once a new token comes

  var browser = new F.Browser({
    api: api,
    onPick: pick,
    onAuthError: authFailed,
    selected: function (ref) { return selected.some(function (a) { return a.ref === ref; }); }
  });
  var composer = new F.Composer({
    api: api,
    onResult: function (r) { result = r; updateInsert(); },
    onClear: function () { result = null; F.clearPreview(); updateInsert(); },
    onAuthError: authFailed
  });

  // authFailed tells the CMS that the token expired (or is not valid),
  // so that it can send a new one (fotoembed:token).
  function authFailed(err) {
    var code = err.expired ? "token_expired" : "invalid_token";
    $("action-status").textContent = err.expired ? "Access expired: waiting for the CMS to renew it…" : "This picker's access is not valid.";
    send("error", { code: code, message: F.describe(err) });
  }

  // Messages from the CMS: only from the parent (or opener) window, only
  // from the origin the page was opened for.
  window.addEventListener("message", function (e) {
    if (!e.data || typeof e.data !== "object" || typeof e.data.type !== "string" || e.data.type.indexOf("fotoembed:") !== 0) { return; }
    if (e.source !== parentWin || e.origin !== origin) {
      // Said in the console, for an integrator wondering why.
      console.warn("fotoembed picker: ignored " + e.data.type + " from " + e.origin + ": only the page at " + origin + " that opened the picker is listened to");
      return;
    }
    if (e.data.type === "fotoembed:token" && typeof e.data.token === "string" && e.data.token) {
      token = e.data.token;
      $("action-status").textContent = "";
      var again = waiting;
      waiting = null;
      if (again) { again(); }
    }
  });

  function pick(asset, button) {
    var i = selected.findIndex(function (a) { return a.ref === asset.ref; });
    if (multiple) {
      if (i >= 0 && current && current.ref === asset.ref) { // unpick
        selected.splice(i, 1);
        button.setAttribute("aria-pressed", "false");
        current = selected.length ? selected[selected.length - 1] : null;
        if (!current) { $("compose").hidden = true; result = null; updateInsert(); return; }
        composer.set(current);
        updateInsert();
        return;
      }
      if (i < 0) { selected.push(asset); }
    } else {
      document.querySelectorAll(".pick[aria-pressed=true]").forEach(function (el) { el.setAttribute("aria-pressed", "false"); });
      selected = [asset];
    }
    button.setAttribute("aria-pressed", "true");
    current = asset;
    F.showCompose(button);
    composer.set(asset);
    updateInsert();
  }

  function updateInsert() {
    var n = selected.length;
    $("insert").disabled = multiple ? n === 0 : !result;
    $("insert").textContent = multiple && n > 1 ? "Insert " + n + " images" : "Insert";
    $("selection").hidden = !multiple || n === 0;
    $("selection").textContent = n === 1 ? "1 image selected." : n + " images selected; click a selected image again to remove it.";
  }

  // item is the message's form of one resolve result.
  function item(asset, r, it) {
    return {
      ref: asset.ref, title: asset.title || "", filename: asset.filename, archive: asset.archive || "",
      html: r.html, url: r.url, srcset: r.srcset || "", sizes: r.sizes || "",
      width: r.width || 0, height: r.height || 0, alt: r.alt || "", decorative: !!it.decorative,
      caption: r.caption || "", credit: r.credit || "", figure: !!it.figure, delivery: it.delivery,
      page: r.page || "", oembed: r.oembed || "", expires: r.expires || ""
    };
  }

  $("insert").addEventListener("click", insert);

  function insert() {
    if (!multiple) {
      if (!result || !current) { return; }
      send("select", { items: [item(current, result, composer.item(current, composer.altState()))] });
      return;
    }
    // Every selected image with its own alt text, the shared options.
    var items = [], missing = [];
    selected.forEach(function (a) {
      var edit = composer.edits[a.ref];
      var alt = edit ? composer.altFor(a, edit.alt, edit.decorative) : composer.altFor(a, composer.defaultAlt(a), false);
      if (!alt) { missing.push(F.nameOf(a)); return; }
      items.push(composer.item(a, alt));
    });
    if (missing.length) {
      composer.problem("Write an alt text (or tick Decorative) for: " + missing.join(", ") + ".");
      return;
    }
    $("insert").disabled = true;
    api.post("/v1/resolve", { items: items }).then(function (data) {
      var bad = [];
      data.results.forEach(function (r, i) { if (r.error) { bad.push(F.nameOf(selected[i]) + ": " + r.error); } });
      if (bad.length) { throw new F.ApiError(400, bad.join("; ")); }
      send("select", { items: data.results.map(function (r, i) { return item(selected[i], r, items[i]); }) });
    }).catch(function (err) {
      if (err.status === 401) { waiting = insert; authFailed(err); }
      composer.problem("Could not insert: " + F.describe(err));
    }).then(updateInsert);
  }

  // Wrap the shared parts so that what failed on an expired token runs
  // again when the new one comes.
  var fail = browser.fail;
  browser.fail = function (err) {
    if (err.status === 401 && err.expired) { waiting = function () { browser.retry(); }; }
    fail.call(browser, err);
  };
  var auth = composer.opts.onAuthError;
  composer.opts.onAuthError = function (err) {
    if (err.expired) { waiting = function () { composer.refresh(); }; }
    auth(err);
  };

  send("ready", { multiple: multiple });
  switch (body.dataset.tokenState) {
    case "expired":
      waiting = function () { browser.start(); };
      authFailed(new F.ApiError(401, "expired", true));
      break;
    case "invalid":
      authFailed(new F.ApiError(401, "the picker token is not valid", false));
      break;
    default:
      browser.start();
  }
  updateInsert();
})();
