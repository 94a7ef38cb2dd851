// fotoembed: what the web UI (app.js) and the picker (picker.js) share:
// the API client, searching and paging, the result tiles, and the form
// that turns a picked asset into HTML. Plain DOM code, no dependencies,
// nothing loaded from elsewhere.
var Fotoembed = (function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var PAGE = 48;

  // ApiError is a failed API call: status 0 when the service did not
  // answer at all. expired is set for a picker token that has expired.
  function ApiError(status, message, expired) {
    this.status = status;
    this.message = message;
    this.expired = !!expired;
  }

  // client calls the API with the credential credential() returns (an
  // API key or a picker token), as a bearer token.
  function client(credential) {
    function call(path, init) {
      init = init || {};
      init.headers = Object.assign({ "Authorization": "Bearer " + credential() }, init.headers || {});
      return fetch(path, init).then(function (res) {
        return res.text().then(function (body) {
          var data = null;
          try { data = JSON.parse(body); } catch (ignored) { /* not JSON */ }
          if (!res.ok) {
            var auth = res.headers.get("WWW-Authenticate") || "";
            throw new ApiError(res.status, (data && data.message) || res.statusText, /expired/.test(auth));
          }
          return data;
        });
      }, function () {
        throw new ApiError(0, "the service did not answer");
      });
    }
    return {
      get: function (path) { return call(path); },
      post: function (path, body) {
        return call(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      }
    };
  }

  // describe turns an error into words for an editor.
  function describe(err) {
    switch (err.status) {
      case 0: return "The fotoembed service did not answer. Check the connection and try again.";
      case 401: return err.expired ? "This picker has been open too long and its access has expired." : "The API key was not accepted: check that it is the current one.";
      case 403: return "This key may not do that.";
      case 429: return "Too many requests at once: wait a moment and try again.";
      case 502: case 503: case 504:
        return "FotoWeb did not answer (it may be down or slow). fotoembed itself is running; try again in a moment.";
    }
    return err.message ? err.message.charAt(0).toUpperCase() + err.message.slice(1) + "." : "Something went wrong (" + err.status + ").";
  }

  function plural(n, one, many) { return n.toLocaleString("en") + " " + (n === 1 ? one : many); }

  // sizeText is the original's pixel size; the service leaves width and
  // height out when FotoWeb does not know them, shown as such.
  function sizeText(a) {
    return a.width > 0 && a.height > 0 ? a.width + " × " + a.height + " px" : "size unknown";
  }

  function nameOf(a) { return a.title || a.filename; }

  // Browser runs searches and shows the results a page at a time.
  // opts: api, onPick(asset, button), onAuthError(err), selected(ref).
  function Browser(opts) {
    var self = this;
    this.opts = opts;
    this.seq = 0;
    this.next = "";
    this.shown = 0;
    this.enabled = false;
    $("search-form").addEventListener("submit", function (e) { e.preventDefault(); self.search(); });
    $("archive").addEventListener("change", function () { self.search(); });
    $("more").addEventListener("click", function () { self.more(); });
    $("retry").addEventListener("click", function () { self.retry(); });
  }

  // start loads the archive filter and the first page.
  // The archive list comes first: the tiles name their archives from it.
  Browser.prototype.start = function () {
    var self = this;
    this.enabled = true;
    this.clear("Searching…");
    this.loadArchives().then(function (ok) { if (ok) { self.search(); } });
  };

  // loadArchives fills the archive filter; its promise always resolves.
  Browser.prototype.loadArchives = function () {
    var self = this, sel = $("archive");
    return this.opts.api.get("/v1/archives").then(function (data) {
      var keep = sel.value;
      while (sel.options.length > 1) { sel.remove(1); }
      (data.archives || []).forEach(function (a) {
        var o = document.createElement("option");
        o.value = a.id;
        o.textContent = a.name + " (" + a.count.toLocaleString("en") + ")";
        sel.append(o);
      });
      sel.value = keep;
      if (sel.value !== keep) { sel.value = ""; }
      self.archivesLoaded = true;
      return true;
    }, function (err) {
      if (err.status === 401) { self.fail(err); return false; }
      return true; // the search says what is wrong, if it still is
    });
  };

  // clear empties the results and says why (nothing when text is "").
  Browser.prototype.clear = function (text) {
    this.seq++;
    this.next = "";
    this.shown = 0;
    $("results").textContent = "";
    $("more").hidden = true;
    $("status").textContent = text || "";
    $("problem").hidden = true;
  };

  Browser.prototype.fail = function (err) {
    this.last = this.last || { cursor: "" };
    this.clear("");
    if (err.status === 401) { this.opts.onAuthError(err); }
    $("problem-text").textContent = describe(err);
    $("retry").hidden = err.status === 401 || err.status === 400;
    $("problem").hidden = false;
  };

  Browser.prototype.retry = function () {
    if (!this.archivesLoaded) { this.start(); return; }
    if (this.last && this.last.cursor) { this.more(); } else { this.search(); }
  };

  // search starts a new search from the form.
  Browser.prototype.search = function () {
    if (!this.enabled) { return; }
    this.clear("Searching…");
    this.query = { q: $("q").value.trim(), archive: $("archive").value };
    this.fetch("");
  };

  Browser.prototype.more = function () {
    if (this.next) { this.fetch(this.next); }
  };

  Browser.prototype.fetch = function (cursor) {
    var self = this, seq = ++this.seq, q = this.query;
    var path = "/v1/assets?limit=" + PAGE + "&q=" + encodeURIComponent(q.q) + "&archive=" + encodeURIComponent(q.archive);
    if (cursor) { path += "&cursor=" + encodeURIComponent(cursor); }
    this.last = { cursor: cursor };
    $("problem").hidden = true;
    $("more").disabled = true;
    if (cursor) { $("status").textContent = "Loading more…"; }
    this.opts.api.get(path).then(function (data) {
      if (seq !== self.seq) { return; } // a newer search is under way
      self.append(data.assets || []);
      self.next = data.next || "";
      $("more").hidden = !self.next;
      $("more").disabled = false;
      self.count(data);
    }).catch(function (err) {
      if (seq !== self.seq) { return; }
      self.fail(err);
      self.last = { cursor: cursor };
    });
  };

  // count says how many images are shown of how many hits.
  Browser.prototype.count = function (data) {
    var q = this.query, where = "";
    if (q.archive) { where = " in " + $("archive").selectedOptions[0].textContent.replace(/ \([\d,]+\)$/, ""); }
    if (this.shown === 0 && !this.next) {
      $("status").textContent = q.q ? "No images match “" + q.q + "”" + where + "." : "No images" + where + ".";
      return;
    }
    var of = data.total_exact ? plural(data.total, "result", "results") : "at least " + plural(data.total, "result", "results");
    $("status").textContent = "Showing " + plural(this.shown, "image", "images") + " of " + of + where + ".";
  };

  Browser.prototype.append = function (assets) {
    var self = this, list = $("results");
    assets.forEach(function (a) {
      if (!a.archive && a.archive_id) { // the service did not have the name at hand: the filter has it
        var o = $("archive").querySelector('option[value="' + a.archive_id.replace(/[^0-9]/g, "") + '"]');
        if (o) { a.archive = o.textContent.replace(/ \([\d,]+\)$/, ""); }
      }
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "pick";
      b.setAttribute("aria-pressed", self.opts.selected(a.ref) ? "true" : "false");
      b.dataset.ref = a.ref;
      var full = nameOf(a) + (a.archive ? " — " + a.archive : "") + " — " + sizeText(a);
      b.title = full;
      b.dataset.name = nameOf(a);
      var img = document.createElement("img");
      img.src = a.thumbnail;
      img.alt = "";
      img.loading = "lazy";
      var name = document.createElement("span");
      name.className = "name";
      name.textContent = nameOf(a);
      var arch = document.createElement("span");
      arch.className = "arch";
      arch.textContent = a.archive || "";
      var dims = document.createElement("span");
      dims.className = "dims";
      dims.textContent = sizeText(a);
      b.append(img, name, arch, dims);
      b.addEventListener("click", function () { self.opts.onPick(a, b); });
      li.append(b);
      list.append(li);
      self.shown++;
    });
  };

  // Composer is the form that turns the picked asset into HTML through
  // POST /v1/resolve: alt text (required unless decorative), width,
  // delivery, figure. opts: api, onResult(r), onClear(), onAuthError(err).
  function Composer(opts) {
    var self = this;
    this.opts = opts;
    this.asset = null;
    this.pending = 0;
    this.edits = {}; // alt text and decorative per asset ref, as edited
    var form = $("options-form");
    form.addEventListener("input", function (e) { self.changed(e); });
    form.addEventListener("change", function (e) { self.changed(e); });
    form.addEventListener("submit", function (e) { e.preventDefault(); self.refresh(); });
    document.querySelectorAll("button.preset").forEach(function (b) {
      b.addEventListener("click", function () {
        $("width").value = b.dataset.width;
        self.refresh();
      });
    });
    $("delivery").addEventListener("change", function () { self.explainDelivery(); });
    this.explainDelivery();
  }

  var deliveryHelp = {
    signed: "A stable address on this fotoembed service: it never expires and carries no FotoWeb token, and the image is updated when it changes in FotoWeb.",
    export: "A permanent public address made by FotoWeb's export: it works without fotoembed and without a token, but stays public until the export is revoked in FotoWeb.",
    direct: "The FotoWeb address itself, with a token that expires: only for pages rendered for each request."
  };

  Composer.prototype.explainDelivery = function () {
    $("delivery-help").textContent = deliveryHelp[$("delivery").value] || "";
  };

  Composer.prototype.changed = function (e) {
    if (!this.asset) { return; }
    if (e && (e.target.id === "alt" || e.target.id === "decorative")) {
      this.edits[this.asset.ref] = { alt: $("alt").value, decorative: $("decorative").checked };
    }
    if (e && e.type === "input" && e.target.type === "checkbox") { return; } // its change event follows
    if (e && e.target.id === "figure" && !this.edits[this.asset.ref]) { this.showAlt(); }
    this.refresh();
  };

  // set shows asset in the form, with its alt text from FotoWeb (or as
  // edited before) and where the texts come from.
  Composer.prototype.set = function (asset) {
    this.asset = asset;
    $("picked-name").textContent = nameOf(asset);
    var meta = [asset.filename];
    if (asset.archive) { meta.push(asset.archive); }
    meta.push(sizeText(asset));
    $("picked-meta").textContent = meta.join(" · ");
    var edit = this.edits[asset.ref];
    this.showAlt();
    if (edit) { $("alt").value = edit.alt; }
    $("decorative").checked = edit ? edit.decorative : false;
    $("caption-text").textContent = asset.caption || "none";
    $("credit-text").textContent = asset.credit || "none";
    this.refresh();
  };

  // captioned reports whether asset is to be shown in a figure with a
  // caption: the caption then describes the image, and the image's alt
  // text must not repeat it (it may even be empty).
  Composer.prototype.captioned = function (asset) {
    return $("figure").checked && !!asset.caption;
  };

  // defaultAlt is asset's alt text from FotoWeb as this embed would use
  // it: the alt field, else the title; in a figure with a caption, the
  // service's figure_alt, which never repeats the caption.
  Composer.prototype.defaultAlt = function (asset) {
    var alt = asset.alt || asset.title || "";
    return this.captioned(asset) && asset.figure_alt !== undefined ? asset.figure_alt : alt;
  };

  // showAlt fills the alt field with the picked asset's default alt
  // text and says where it comes from.
  Composer.prototype.showAlt = function () {
    var a = this.asset, alt = this.defaultAlt(a), source;
    if (alt && alt === a.alt) { source = "(from FotoWeb)"; }
    else if (alt && alt === a.title) { source = this.captioned(a) ? "(FotoWeb's title: the caption describes the image)" : "(from FotoWeb's title)"; }
    else if (this.captioned(a)) { source = "(none: the caption names the image)"; }
    else { source = "(none in FotoWeb)"; }
    $("alt").value = alt;
    $("alt-source").textContent = source;
  };

  // altFor is what to send for asset given the text of its alt field
  // and its Decorative tick: {alt, decorative}, or null when the alt
  // text is missing. In a figure with a caption an empty alt text is
  // allowed, since the caption names the image; it is sent as
  // decorative (alt=""), so that the service does not fill in
  // FotoWeb's text the editor removed.
  Composer.prototype.altFor = function (asset, text, deco) {
    text = text.trim();
    if (deco || (!text && this.captioned(asset))) { return { alt: "", decorative: true }; }
    return text ? { alt: text, decorative: false } : null;
  };

  // altState checks the picked asset's alt field: what to send, or null
  // when it is missing (shown at the field).
  Composer.prototype.altState = function () {
    var deco = $("decorative").checked;
    $("alt").disabled = deco;
    $("alt").required = !this.captioned(this.asset);
    var alt = this.altFor(this.asset, $("alt").value, deco);
    $("alt-error").hidden = !!alt;
    if (!alt) { $("alt").setAttribute("aria-invalid", "true"); } else { $("alt").removeAttribute("aria-invalid"); }
    return alt;
  };

  Composer.prototype.problem = function (text) {
    $("render-problem").textContent = text;
    $("render-problem").hidden = !text;
  };

  // item is the /v1/resolve item of the form for asset (alt as edited).
  Composer.prototype.item = function (asset, alt) {
    var it = {
      ref: asset.ref,
      width: parseInt($("width").value, 10) || 0,
      delivery: $("delivery").value,
      figure: $("figure").checked,
      decorative: alt.decorative,
      alt: alt.alt
    };
    if ($("sizes")) { it.sizes = $("sizes").value.trim(); }
    if ($("priority")) { it.priority = $("priority").checked; }
    return it;
  };

  // refresh renders the picked asset; anything it makes stale is
  // cleared first, so that nothing old can be copied or inserted.
  Composer.prototype.refresh = function () {
    if (!this.asset) { return; }
    var self = this, seq = ++this.pending;
    this.opts.onClear();
    this.problem("");
    if (this.asset.unpublished) {
      this.problem("This image may not be published: " + this.asset.unpublished + ".");
      return;
    }
    var alt = this.altState();
    if (!alt) { return; }
    $("preview").setAttribute("aria-busy", "true");
    this.opts.api.post("/v1/resolve", { items: [this.item(this.asset, alt)] }).then(function (data) {
      if (seq !== self.pending) { return; }
      $("preview").removeAttribute("aria-busy");
      var r = data.results[0];
      if (r.error) { throw new ApiError(400, r.error); }
      // The HTML comes from the service, which escapes every value in it.
      $("preview").innerHTML = r.html;
      // The live preview is on screen now: load it at once even where
      // the HTML asks for lazy loading.
      $("preview").querySelectorAll("img").forEach(function (img) { img.loading = "eager"; });
      if (r.caption !== undefined || r.credit !== undefined) {
        $("caption-text").textContent = r.caption || "none";
        $("credit-text").textContent = r.credit || "none";
      }
      self.opts.onResult(r);
    }).catch(function (err) {
      if (seq !== self.pending) { return; }
      $("preview").removeAttribute("aria-busy");
      self.opts.onClear();
      if (err.status === 401) { self.opts.onAuthError(err); }
      self.problem("Could not make the HTML: " + describe(err));
    });
  };

  // clearPreview empties the preview.
  function clearPreview() { $("preview").textContent = ""; }

  // narrow reports a phone-sized layout (one column).
  function narrow() { return window.matchMedia("(max-width: 800px)").matches; }

  // showCompose opens the form for a picked tile; on a phone it comes
  // first and takes the focus, and Back returns to the tile.
  function showCompose(button) {
    var compose = $("compose");
    compose.hidden = false;
    document.body.classList.add("composing");
    if (narrow()) {
      $("compose-h").focus();
      compose.scrollIntoView({ block: "start" });
    }
    $("back").onclick = function () {
      document.body.classList.remove("composing");
      if (button && document.body.contains(button)) { button.focus(); button.scrollIntoView({ block: "center" }); }
    };
  }

  return {
    $: $, client: client, describe: describe, Browser: Browser, Composer: Composer, ApiError: ApiError,
    clearPreview: clearPreview, showCompose: showCompose, sizeText: sizeText, nameOf: nameOf
  };
})();
