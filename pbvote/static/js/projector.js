/* The projector stays live without reloading: counts come from Server-Sent Events (/w/<code>/events) and,
   when EventSource is missing or keeps failing, from polling /w/<code>/status.json every second. When the
   state or the reveal step changes, the scene is fetched again (/w/<code>/projektor/scene) and swapped in. */
(function () {
  "use strict";

  var root = document.getElementById("projector");
  if (!root) { return; }
  var transport = document.querySelector("[data-live-transport]");
  var POLL_MS = 1000;
  var shown = sceneInfo();
  var pending = null;   // a scene fetch in flight
  var wanted = null;    // the newest status whose scene is not shown yet
  var polling = null;
  var failures = 0;
  var source = null;

  function sceneInfo() {
    var scene = root.querySelector("[data-scene]");
    return scene ? { state: scene.getAttribute("data-state"), step: scene.getAttribute("data-step") } : {};
  }

  function setText(name, value) {
    Array.prototype.forEach.call(root.querySelectorAll('[data-live="' + name + '"]'), function (element) {
      if (element.textContent !== String(value)) { element.textContent = String(value); }
    });
  }

  function showCounts(status) {
    setText("joined", status.joined);
    setText("votes", status.votes);
    var fill = root.querySelector('[data-live="progress"]');
    if (fill) {
      var width = status.joined > 0 ? Math.min(1000, Math.round(1000 * status.votes / status.joined)) : 0;
      fill.setAttribute("width", String(width));
    }
    root.setAttribute("data-votes", String(status.votes));
    root.setAttribute("data-joined", String(status.joined));
  }

  function apply(status) {
    markOnline();
    if (String(status.state) !== shown.state || String(status.step) !== shown.step) {
      wanted = status;
      swapScene();
    }
    showCounts(status);
  }

  function swapScene() {
    if (pending || !wanted) { return; }
    var target = wanted;
    wanted = null;
    pending = fetch(root.getAttribute("data-scene-url"), { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("scene " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var scene = holder.querySelector("[data-scene]");
        var current = root.querySelector("[data-scene]");
        if (scene && current) { root.replaceChild(scene, current); }
        shown = sceneInfo();
        showCounts(target);
      })
      .catch(function () { wanted = wanted || target; })
      .then(function () {
        pending = null;
        if (wanted && (String(wanted.state) !== shown.state || String(wanted.step) !== shown.step)) {
          swapScene();
        } else {
          wanted = null;
        }
      });
  }

  function markOnline() {
    failures = 0;
    root.removeAttribute("data-offline");
    if (transport) { transport.textContent = ""; }
  }

  function markOffline() {
    root.setAttribute("data-offline", "true");
    if (transport) { transport.textContent = root.getAttribute("data-offline-text") || ""; }
  }

  function poll() {
    fetch(root.getAttribute("data-status-url"), { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(apply)
      .catch(function () {
        failures += 1;
        if (failures >= 3) { markOffline(); }
      });
  }

  function startPolling() {
    if (polling) { return; }
    if (source) { source.close(); source = null; }
    root.setAttribute("data-transport", "poll");
    poll();
    polling = window.setInterval(poll, POLL_MS);
  }

  function startEvents() {
    if (!window.EventSource) { startPolling(); return; }
    var received = false;
    source = new window.EventSource(root.getAttribute("data-events-url"));
    root.setAttribute("data-transport", "sse");
    source.onmessage = function (event) {
      received = true;
      try { apply(JSON.parse(event.data)); } catch (error) { /* a torn message: the next one repairs it */ }
    };
    source.addEventListener("gone", function () { source.close(); markOffline(); });
    source.onerror = function () {
      // The server ends each stream after a minute and the browser reconnects: that is not a failure.
      // A refused stream (closed), or errors with no message in between, switch to polling.
      if (source.readyState === window.EventSource.CLOSED || !received) {
        failures += 1;
      }
      received = false;
      if (source.readyState === window.EventSource.CLOSED || failures >= 2) { startPolling(); }
    };
  }

  startEvents();
})();
