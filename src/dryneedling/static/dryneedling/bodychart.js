/* Body chart editor: place a finding point or mark pain regions on the server-rendered SVG.
 * Markup: <div data-bodychart-editor data-mode="finding|pain" [data-propose-url] [data-propose-target]>
 * with one or two <svg class="bodychart" data-view>, a .bodychart-status paragraph and hidden inputs.
 * No inline styles: only classes and SVG geometry attributes. ES2019, no build step. */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var START = { x: 100, y: 200 };
  var ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  var PAIN_CLASSES = ["pain", "pain-low", "pain-mid", "pain-high"];

  function round1(v) { return Math.round(v * 10) / 10; }
  function clamp(v, lo, hi) { return Math.min(hi, Math.max(lo, v)); }
  function parsePoints(text) {
    var nums = (text || "").trim().split(/[\s,]+/).map(Number);
    var pts = [];
    for (var i = 0; i + 1 < nums.length; i += 2) pts.push([nums[i], nums[i + 1]]);
    return pts;
  }

  function onSegment(x, y, a, b) {
    var cross = (x - a[0]) * (b[1] - a[1]) - (y - a[1]) * (b[0] - a[0]);
    if (Math.abs(cross) > 1e-9) return false;
    return x >= Math.min(a[0], b[0]) - 1e-9 && x <= Math.max(a[0], b[0]) + 1e-9 &&
      y >= Math.min(a[1], b[1]) - 1e-9 && y <= Math.max(a[1], b[1]) + 1e-9;
  }

  /* Same rule as dryneedling.clinical.bodychart._point_in_polygon (edges count as inside). */
  function pointInPolygon(x, y, pts) {
    var inside = false;
    for (var i = 0, n = pts.length; i < n; i++) {
      var a = pts[i], b = pts[(i + 1) % n];
      if (onSegment(x, y, a, b)) return true;
      if ((a[1] > y) !== (b[1] > y) && x < (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0]) inside = !inside;
    }
    return inside;
  }

  function polygons(svg) { return Array.prototype.slice.call(svg.querySelectorAll("polygon[data-region]")); }

  function labelOf(poly) {
    if (!poly.hasAttribute("data-label")) {
      var t = poly.querySelector("title");
      poly.setAttribute("data-label", t ? t.textContent : poly.getAttribute("data-region"));
    }
    return poly.getAttribute("data-label");
  }

  /* First polygon (document order, like region_at on the server) containing the point. */
  function regionAt(svg, x, y) {
    var list = polygons(svg);
    for (var i = 0; i < list.length; i++) {
      if (!list[i]._dnPoints) list[i]._dnPoints = parsePoints(list[i].getAttribute("points"));
      if (pointInPolygon(x, y, list[i]._dnPoints)) return list[i];
    }
    return null;
  }

  function clientToSvg(svg, clientX, clientY) {
    var ctm = svg.getScreenCTM();
    if (!ctm) return null;
    var pt = svg.createSVGPoint();
    pt.x = clientX; pt.y = clientY;
    var p = pt.matrixTransform(ctm.inverse());
    return { x: round1(p.x), y: round1(p.y) };
  }

  function viewBox(svg) {
    var vb = svg.viewBox && svg.viewBox.baseVal;
    return vb && vb.width ? vb : { x: 0, y: 0, width: 200, height: 460 };
  }

  function layer(svg) {
    var g = svg.querySelector("g.bodychart-editor-layer");
    if (!g) {
      g = document.createElementNS(SVG_NS, "g");
      g.setAttribute("class", "bodychart-editor-layer");
      g.setAttribute("aria-hidden", "true");
      svg.appendChild(g);
    }
    return g;
  }

  function circle(svg, cls, x, y, r) {
    var c = svg.querySelector("circle." + cls.split(" ").join("."));
    if (!c) {
      c = document.createElementNS(SVG_NS, "circle");
      c.setAttribute("class", cls);
      layer(svg).appendChild(c);
    }
    c.setAttribute("cx", x); c.setAttribute("cy", y); c.setAttribute("r", r);
    return c;
  }

  function painBand(n) { return n <= 3 ? "pain-low" : n <= 6 ? "pain-mid" : "pain-high"; }

  function Editor(root) {
    this.root = root;
    this.mode = root.getAttribute("data-mode") === "pain" ? "pain" : "finding";
    this.status = root.querySelector(".bodychart-status");
    this.svgs = Array.prototype.slice.call(root.querySelectorAll("svg.bodychart"));
    this.cursors = new Map();
    this.pain = {};
    if (this.status && !this.status.id) this.status.id = "bodychart-status-" + (Editor.count = (Editor.count || 0) + 1);
    this.svgs.forEach(this.setupSvg, this);
    if (this.mode === "pain") this.loadPain(); else this.loadFinding();
  }

  Editor.prototype.input = function (name) { return this.root.querySelector('input[name="' + name + '"]'); };

  Editor.prototype.announce = function (text) { if (this.status) this.status.textContent = text; };

  Editor.prototype.setupSvg = function (svg) {
    var self = this;
    var titleEl = svg.querySelector(":scope > title");
    var title = (titleEl && titleEl.textContent.trim()) || ((svg.getAttribute("data-view") || "front") + " view");
    if (!/chart/i.test(title)) title += " body chart";
    var action = this.mode === "pain" ? "Enter toggles pain on the region" : "Enter places a point";
    svg.setAttribute("tabindex", "0");
    svg.setAttribute("role", "application");
    if (svg.hasAttribute("aria-labelledby")) {
      svg.setAttribute("data-aria-labelledby", svg.getAttribute("aria-labelledby"));
      svg.removeAttribute("aria-labelledby");
    }
    svg.setAttribute("aria-label", title + ": arrow keys move the cursor, " + action);
    if (this.status) svg.setAttribute("aria-describedby", this.status.id);
    this.cursors.set(svg, { x: START.x, y: START.y });

    svg.addEventListener("click", function (ev) {
      var p = clientToSvg(svg, ev.clientX, ev.clientY);
      if (!p) return;
      self.cursors.set(svg, p);
      if (svg.querySelector("circle.cursor")) self.drawCursor(svg);
      self.place(svg, p.x, p.y);
    });
    svg.addEventListener("focus", function () {
      if (svg.matches(":focus-visible")) self.moveCursor(svg, 0, 0);
    });
    svg.addEventListener("blur", function () {
      var c = svg.querySelector("circle.cursor");
      if (c) c.parentNode.removeChild(c);
    });
    svg.addEventListener("keydown", function (ev) { self.onKey(svg, ev); });
  };

  Editor.prototype.onKey = function (svg, ev) {
    if (ev.ctrlKey || ev.altKey || ev.metaKey) return;
    var dir = ARROWS[ev.key];
    if (dir) {
      ev.preventDefault();
      var step = ev.shiftKey ? 1 : 4;
      this.moveCursor(svg, dir[0] * step, dir[1] * step);
    } else if (ev.key === "Enter" || ev.key === " " || ev.key === "Spacebar") {
      ev.preventDefault();
      var c = this.cursors.get(svg);
      this.drawCursor(svg);
      this.place(svg, c.x, c.y);
    }
  };

  Editor.prototype.drawCursor = function (svg) {
    var c = this.cursors.get(svg);
    return circle(svg, "cursor", c.x, c.y, 6);
  };

  Editor.prototype.moveCursor = function (svg, dx, dy) {
    var c = this.cursors.get(svg), vb = viewBox(svg);
    c = { x: round1(clamp(c.x + dx, vb.x, vb.x + vb.width)), y: round1(clamp(c.y + dy, vb.y, vb.y + vb.height)) };
    this.cursors.set(svg, c);
    this.drawCursor(svg);
    var poly = regionAt(svg, c.x, c.y);
    this.announce(poly ? labelOf(poly) + " region" : "outside the body");
  };

  Editor.prototype.place = function (svg, x, y) {
    var poly = regionAt(svg, x, y);
    if (this.mode === "pain") return this.togglePain(poly);
    if (!poly) {
      this.announce("Outside the body chart — not placed");
      return;
    }
    this.setFinding(svg, x, y);
    var view = svg.getAttribute("data-view") || "front";
    var region = poly.getAttribute("data-region");
    this.announce("Point placed on " + labelOf(poly) + " (" + view + " view)");
    this.root.dispatchEvent(new CustomEvent("bodychart:placed", {
      bubbles: true, detail: { view: view, x: x, y: y, region: region }
    }));
    this.propose(view, x, y);
  };

  Editor.prototype.setFinding = function (svg, x, y) {
    var fields = { view: svg.getAttribute("data-view") || "front", x: String(x), y: String(y) };
    Object.keys(fields).forEach(function (name) { if (this.input(name)) this.input(name).value = fields[name]; }, this);
    this.svgs.forEach(function (other) {
      var old = other.querySelector("circle.point.pending");
      if (old && other !== svg) old.parentNode.removeChild(old);
    });
    circle(svg, "point pending", x, y, 4);
  };

  Editor.prototype.propose = function (view, x, y) {
    var url = this.root.getAttribute("data-propose-url");
    var target = this.root.getAttribute("data-propose-target");
    if (!url || !target || !window.htmx) return;
    var query = "view=" + encodeURIComponent(view) + "&x=" + encodeURIComponent(x) + "&y=" + encodeURIComponent(y);
    window.htmx.ajax("GET", url + (url.indexOf("?") >= 0 ? "&" : "?") + query, { target: target, swap: "innerHTML" });
  };

  Editor.prototype.loadFinding = function () {
    var v = this.input("view"), x = this.input("x"), y = this.input("y");
    if (!v || !x || !y || !v.value || x.value === "" || y.value === "") return;
    var px = parseFloat(x.value), py = parseFloat(y.value);
    var svg = this.svgs.filter(function (s) { return s.getAttribute("data-view") === v.value; })[0];
    if (svg && isFinite(px) && isFinite(py)) {
      circle(svg, "point pending", px, py, 4);
      this.cursors.set(svg, { x: px, y: py });
    }
  };

  Editor.prototype.intensity = function () {
    var sel = this.root.querySelector("[data-pain-intensity]");
    var n = sel ? parseInt(sel.value, 10) : NaN;
    return isFinite(n) ? clamp(n, 1, 10) : 5;
  };

  Editor.prototype.polygonFor = function (id) {
    return this.root.querySelector('svg.bodychart polygon[data-region="' + CSS.escape(id) + '"]');
  };

  Editor.prototype.paintRegion = function (poly, n) {
    var label = labelOf(poly), title = poly.querySelector("title");
    PAIN_CLASSES.forEach(function (c) { poly.classList.remove(c); });
    if (n) poly.classList.add("pain", painBand(n));
    if (title) title.textContent = n ? label + " — pain " + n + "/10" : label;
  };

  Editor.prototype.loadPain = function () {
    var input = this.input("pain_regions"), data = {};
    try { data = JSON.parse((input && input.value) || "{}") || {}; } catch (e) { data = {}; }
    Object.keys(data).forEach(function (id) {
      var n = parseInt(data[id], 10), poly = this.polygonFor(id);
      if (!poly || !isFinite(n)) return;
      n = clamp(n, 1, 10);
      this.pain[id] = n;
      this.paintRegion(poly, n);
    }, this);
    this.syncPain();
  };

  Editor.prototype.syncPain = function () {
    var input = this.input("pain_regions");
    if (input) input.value = JSON.stringify(this.pain);
  };

  Editor.prototype.togglePain = function (poly) {
    if (!poly) {
      this.announce("Outside the body chart — not marked");
      return;
    }
    var id = poly.getAttribute("data-region"), n = this.intensity();
    if (this.pain[id] === n) {
      delete this.pain[id];
      this.paintRegion(poly, 0);
      this.announce("Pain removed from " + labelOf(poly));
    } else {
      this.pain[id] = n;
      this.paintRegion(poly, n);
      this.announce("Pain " + n + "/10 marked on " + labelOf(poly));
    }
    this.syncPain();
    this.root.dispatchEvent(new CustomEvent("bodychart:pain", {
      bubbles: true, detail: { regions: Object.assign({}, this.pain) }
    }));
  };

  function initBodyCharts(root) {
    root = root || document;
    var found = root.querySelectorAll ? Array.prototype.slice.call(root.querySelectorAll("[data-bodychart-editor]")) : [];
    if (root.matches && root.matches("[data-bodychart-editor]")) found.unshift(root);
    found.forEach(function (el) {
      if (el.hasAttribute("data-bodychart-ready")) return;
      el.setAttribute("data-bodychart-ready", "");
      el._dnEditor = new Editor(el);
    });
  }

  window.DryNeedling = Object.assign(window.DryNeedling || {}, { initBodyCharts: initBodyCharts });
  document.addEventListener("htmx:load", function (ev) {
    initBodyCharts((ev.detail && ev.detail.elt) || ev.target);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initBodyCharts(document); });
  } else {
    initBodyCharts(document);
  }
})();
