// fotoembed web UI: search FotoWeb through the service, pick an asset, set
// options, see the live image and copy the HTML, signed URL or oEmbed URL.
// Plain DOM code, no dependencies, nothing loaded from elsewhere.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var picked = null;
  var keyInput = $("api-key");

  // The API key may arrive in the URL fragment (#key=...), which browsers
  // never send to a server; it is then kept for this tab only.
  var m = /(?:^|[#&])key=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem("fotoembed-key", decodeURIComponent(m[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  keyInput.value = sessionStorage.getItem("fotoembed-key") || "";
  keyInput.addEventListener("change", function () {
    sessionStorage.setItem("fotoembed-key", keyInput.value.trim());
    search();
  });
  $("key-form").addEventListener("submit", function (e) { e.preventDefault(); });

  function api(path, init) {
    init = init || {};
    init.headers = Object.assign({ "X-API-Key": keyInput.value.trim() }, init.headers || {});
    return fetch(path, init).then(function (res) {
      return res.text().then(function (body) {
        var data = null;
        try { data = JSON.parse(body); } catch (ignored) { /* not JSON */ }
        if (!res.ok) {
          var msg = (data && data.message) || body || res.statusText;
          throw new Error(res.status + ": " + msg);
        }
        return data;
      });
    });
  }

  function status(text) { $("status").textContent = text; }

  $("search-form").addEventListener("submit", function (e) {
    e.preventDefault();
    search();
  });

  // An empty query browses the newest images, so the page is useful at once.
  var searches = 0;
  function search() {
    var q = $("q").value.trim();
    var seq = ++searches;
    status("Searching…");
    api("/v1/assets?limit=48&q=" + encodeURIComponent(q)).then(function (data) {
      if (seq !== searches) { return; } // a newer search is under way
      renderResults(data.assets || []);
      status((data.assets || []).length + " images");
    }).catch(function (err) { renderResults([]); status("Search failed: " + err.message); });
  }
  if (keyInput.value) { search(); }

  function renderResults(assets) {
    var list = $("results");
    list.textContent = "";
    assets.forEach(function (a) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "pick";
      b.setAttribute("aria-pressed", "false");
      b.dataset.ref = a.ref;
      var img = document.createElement("img");
      img.src = a.thumbnail;
      img.alt = "";
      img.loading = "lazy";
      var span = document.createElement("span");
      span.textContent = a.title || a.filename;
      var dims = document.createElement("span");
      dims.className = "dims";
      dims.textContent = sizeText(a);
      b.append(img, span, dims);
      b.addEventListener("click", function () { pick(a, b); });
      li.append(b);
      list.append(li);
    });
  }

  // The original's pixel size; the service leaves width and height out
  // when FotoWeb does not know them (it says 1×1 for an image it could not
  // measure), and that is shown as such, never as 1 × 1.
  function sizeText(a) {
    return a.width > 0 && a.height > 0 ? a.width + " × " + a.height + " px" : "size unknown";
  }

  function pick(asset, button) {
    document.querySelectorAll(".pick[aria-pressed=true]").forEach(function (el) {
      el.setAttribute("aria-pressed", "false");
    });
    button.setAttribute("aria-pressed", "true");
    picked = asset;
    $("picked-name").textContent = asset.title || asset.filename;
    var size = $("picked-size");
    if (!size) {
      size = document.createElement("span");
      size.id = "picked-size";
      $("picked-name").after(" ", size);
    }
    size.textContent = "(" + sizeText(asset) + ")";
    $("compose").hidden = false;
    refresh();
  }

  var pending = 0;
  function refresh() {
    if (!picked) { return; }
    var item = {
      ref: picked.ref,
      width: parseInt($("width").value, 10) || 0,
      sizes: $("sizes").value.trim(),
      delivery: $("delivery").value,
      figure: $("figure").checked,
      priority: $("priority").checked
    };
    var seq = ++pending;
    api("/v1/resolve", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ items: [item] })
    }).then(function (data) {
      if (seq !== pending) { return; }
      var r = data.results[0];
      if (r.error) { throw new Error(r.error); }
      // The HTML comes from the service, which escapes every value in it.
      $("preview").innerHTML = r.html;
      // The live preview is on screen now: load it at once even where the
      // copied HTML asks for lazy loading.
      $("preview").querySelectorAll("img").forEach(function (img) { img.loading = "eager"; });
      $("out-html").value = r.html;
      $("out-url").value = r.url;
      $("out-oembed").value = r.oembed || "";
      $("copy-status").textContent = r.oembed ? "" : "This asset's archive is not public: no oEmbed URL.";
    }).catch(function (err) {
      $("preview").textContent = "Could not render: " + err.message;
    });
  }
  $("options-form").addEventListener("input", refresh);
  $("options-form").addEventListener("change", refresh);
  $("options-form").addEventListener("submit", function (e) { e.preventDefault(); refresh(); });

  document.querySelectorAll("button.copy").forEach(function (b) {
    b.addEventListener("click", function () {
      var field = $(b.dataset.copy);
      var text = field.value;
      var done = function () { $("copy-status").textContent = "Copied " + b.textContent.replace(/^Copy /, ""); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { legacyCopy(field); done(); });
      } else {
        legacyCopy(field);
        done();
      }
    });
  });

  function legacyCopy(field) {
    field.focus();
    field.select();
    try { document.execCommand("copy"); } catch (ignored) { /* selection stays for manual copy */ }
  }

})();
