/* Needling timer: counts needle time down from [data-timer-seconds] (or data-seconds).
 * Time comes from performance.now() deltas; setInterval/setTimeout only schedule redraws.
 * Elapsed needle time (pauses excluded, whole seconds) goes to [data-timer-elapsed].
 * Events (bubbling): timer:done {elapsed}, timer:stopped {elapsed}. ES2019, no inline styles. */
(function () {
  "use strict";

  var TICK_MS = 100;
  var STATES = ["running", "paused", "done", "stopped"];

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function format(totalSeconds) {
    var s = Math.max(0, totalSeconds);
    return Math.floor(s / 60) + ":" + pad(s % 60);
  }

  function Timer(root) {
    this.root = root;
    this.q = function (sel) { return root.querySelector(sel); };
    this.secondsInput = this.q("[data-timer-seconds]");
    this.display = this.q(".timer-display");
    this.startBtn = this.q("[data-timer-start]");
    this.pauseBtn = this.q("[data-timer-pause]");
    this.stopBtn = this.q("[data-timer-stop]");
    this.elapsedInput = this.q("[data-timer-elapsed]");
    this.status = this.q(".timer-status");
    this.state = "idle";
    this.total = this.configured();
    this.accumulated = 0;
    this.segmentStart = 0;
    this.interval = null;
    this.deadline = null;
    this.audio = null;
    /* The display changes every second; keep it out of the live region chatter. */
    if (this.display && !this.display.hasAttribute("aria-live")) this.display.setAttribute("aria-live", "off");
    this.bind();
    this.render();
  }

  Timer.prototype.configured = function () {
    var raw = this.secondsInput ? this.secondsInput.value : this.root.getAttribute("data-seconds");
    var n = parseInt(raw, 10);
    if (!isFinite(n)) n = parseInt(this.root.getAttribute("data-seconds"), 10);
    if (!isFinite(n)) n = 30;
    return Math.min(3600, Math.max(1, n));
  };

  Timer.prototype.bind = function () {
    var self = this;
    if (this.startBtn) this.startBtn.addEventListener("click", function () { self.start(); });
    if (this.pauseBtn) this.pauseBtn.addEventListener("click", function () { self.togglePause(); });
    if (this.stopBtn) this.stopBtn.addEventListener("click", function () { self.stop(); });
    if (this.secondsInput) {
      this.secondsInput.addEventListener("input", function () {
        if (self.state === "running" || self.state === "paused") return;
        self.total = self.configured();
        self.showRemaining(self.total * 1000);
      });
    }
    this.root.addEventListener("keydown", function (ev) {
      if ((ev.key === "Escape" || ev.key === "Esc") && self.state === "running") {
        ev.preventDefault();
        self.togglePause();
      }
    });
  };

  Timer.prototype.elapsedMs = function () {
    var live = this.state === "running" ? performance.now() - this.segmentStart : 0;
    return this.accumulated + live;
  };

  Timer.prototype.writeElapsed = function (seconds) {
    if (this.elapsedInput) this.elapsedInput.value = String(seconds);
  };

  Timer.prototype.showRemaining = function (ms) {
    if (this.display) this.display.textContent = format(Math.ceil(Math.max(0, ms) / 1000));
  };

  Timer.prototype.announce = function (text) { if (this.status) this.status.textContent = text; };

  Timer.prototype.setState = function (state) {
    this.state = state;
    var cl = this.root.classList;
    STATES.forEach(function (s) { cl.remove(s); });
    if (state !== "idle") cl.add(state);
    this.render();
  };

  Timer.prototype.render = function () {
    var active = this.state === "running" || this.state === "paused";
    if (this.startBtn) this.startBtn.disabled = active;
    if (this.pauseBtn) {
      this.pauseBtn.disabled = !active;
      this.pauseBtn.textContent = this.state === "paused" ? "Resume" : "Pause";
      this.pauseBtn.setAttribute("aria-pressed", this.state === "paused" ? "true" : "false");
    }
    if (this.stopBtn) this.stopBtn.disabled = !active;
    if (this.secondsInput) this.secondsInput.disabled = active;
    if (this.state === "idle") this.showRemaining(this.total * 1000);
  };

  Timer.prototype.schedule = function () {
    var self = this;
    this.unschedule();
    this.interval = setInterval(function () { self.tick(); }, TICK_MS);
    /* A one-shot timeout for the end: background tabs throttle intervals much harder. */
    this.deadline = setTimeout(function () { self.tick(); }, Math.max(0, this.total * 1000 - this.elapsedMs()) + 5);
  };

  Timer.prototype.unschedule = function () {
    if (this.interval !== null) clearInterval(this.interval);
    if (this.deadline !== null) clearTimeout(this.deadline);
    this.interval = this.deadline = null;
  };

  Timer.prototype.start = function () {
    this.unlockAudio();
    this.total = this.configured();
    this.accumulated = 0;
    this.segmentStart = performance.now();
    this.writeElapsed(0);
    this.setState("running");
    this.showRemaining(this.total * 1000);
    this.announce("Timer started: " + format(this.total));
    this.schedule();
  };

  Timer.prototype.togglePause = function () {
    if (this.state === "running") {
      this.accumulated += performance.now() - this.segmentStart;
      this.unschedule();
      this.setState("paused");
      this.writeElapsed(Math.round(this.accumulated / 1000));
      this.announce("Paused");
    } else if (this.state === "paused") {
      this.segmentStart = performance.now();
      this.setState("running");
      this.announce("Resumed");
      this.schedule();
    }
  };

  Timer.prototype.tick = function () {
    if (this.state !== "running") return;
    if (!this.root.isConnected) { this.unschedule(); return; }
    var ms = this.elapsedMs(), limit = this.total * 1000;
    if (ms >= limit) return this.finish();
    this.writeElapsed(Math.round(ms / 1000));
    this.showRemaining(limit - ms);
  };

  Timer.prototype.finish = function () {
    this.unschedule();
    this.accumulated = this.total * 1000;
    this.writeElapsed(this.total);
    this.setState("done");
    this.showRemaining(0);
    this.announce("Time — withdraw the needle");
    this.beep();
    try { if (navigator.vibrate) navigator.vibrate([200, 100, 200]); } catch (e) { /* unsupported */ }
    this.emit("timer:done", this.total);
  };

  Timer.prototype.stop = function () {
    if (this.state !== "running" && this.state !== "paused") return;
    var elapsed = Math.round(Math.min(this.elapsedMs(), this.total * 1000) / 1000);
    this.accumulated = this.elapsedMs();
    this.unschedule();
    this.writeElapsed(elapsed);
    this.setState("stopped");
    this.announce("Stopped after " + format(elapsed));
    this.emit("timer:stopped", elapsed);
  };

  Timer.prototype.emit = function (name, elapsed) {
    this.root.dispatchEvent(new CustomEvent(name, { bubbles: true, detail: { elapsed: elapsed } }));
  };

  /* Created inside the Start click so the browser's autoplay policy lets it sound later. */
  Timer.prototype.unlockAudio = function () {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      if (!this.audio) this.audio = new Ctx();
      if (this.audio.state === "suspended" && this.audio.resume) this.audio.resume().catch(function () {});
    } catch (e) {
      this.audio = null;
    }
  };

  Timer.prototype.beep = function () {
    try {
      var ctx = this.audio;
      if (!ctx) return;
      var t0 = ctx.currentTime + 0.02;
      [0, 0.3].forEach(function (offset) {
        var osc = ctx.createOscillator(), gain = ctx.createGain();
        osc.type = "sine";
        osc.frequency.value = 880;
        gain.gain.setValueAtTime(0.0001, t0 + offset);
        gain.gain.exponentialRampToValueAtTime(0.4, t0 + offset + 0.01);
        gain.gain.exponentialRampToValueAtTime(0.0001, t0 + offset + 0.18);
        osc.connect(gain);
        gain.connect(ctx.destination);
        osc.start(t0 + offset);
        osc.stop(t0 + offset + 0.2);
      });
    } catch (e) { /* audio is a courtesy; the visual and status signals remain */ }
  };

  function initTimers(root) {
    root = root || document;
    var found = root.querySelectorAll ? Array.prototype.slice.call(root.querySelectorAll("[data-timer]")) : [];
    if (root.matches && root.matches("[data-timer]")) found.unshift(root);
    found.forEach(function (el) {
      if (el.hasAttribute("data-timer-ready")) return;
      el.setAttribute("data-timer-ready", "");
      el._dnTimer = new Timer(el);
    });
  }

  window.DryNeedling = Object.assign(window.DryNeedling || {}, { initTimers: initTimers });
  document.addEventListener("htmx:load", function (ev) {
    initTimers((ev.detail && ev.detail.elt) || ev.target);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initTimers(document); });
  } else {
    initTimers(document);
  }
})();
