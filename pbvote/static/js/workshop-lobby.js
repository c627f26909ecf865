// The workshop lobby on a participant's phone: ask every few seconds whether the voting has opened,
// and go on to the ballot when it has. Without JavaScript the "Check now" button does the same.
(function () {
  "use strict";
  var lobby = document.querySelector("[data-workshop-state-url]");
  if (!lobby) { return; }
  var stateUrl = lobby.getAttribute("data-workshop-state-url");
  var joinUrl = lobby.getAttribute("data-workshop-join-url");
  var seconds = parseInt(lobby.getAttribute("data-workshop-poll-seconds") || "3", 10);

  function check() {
    fetch(stateUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.state && data.state !== "lobby") {
          window.location.assign(joinUrl);
        } else {
          window.setTimeout(check, seconds * 1000);
        }
      })
      .catch(function () { window.setTimeout(check, seconds * 1000 * 2); });
  }
  window.setTimeout(check, seconds * 1000);
})();
