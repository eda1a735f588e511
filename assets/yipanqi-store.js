/* When the store fails, the server answers 503 with {"yipanqi_store": kind, "message": text}
   (dashboard/store_outage.py) instead of the data. Show that message over the page instead of
   widgets left half-drawn, ask the server every 10 s whether the store answers again, and then
   reload the page (its state is in the URL). */
(function () {
  "use strict";
  var RETRY_MS = 10000;
  var realFetch = window.fetch.bind(window);
  var banner = null;
  var timer = null;

  function show(message) {
    if (!banner) {
      banner = document.createElement("div");
      banner.className = "yp-store-banner";
      banner.setAttribute("role", "alert");
      document.body.appendChild(banner);
    }
    banner.textContent = message;
    if (!timer) {
      timer = window.setInterval(probe, RETRY_MS);
    }
  }

  function probe() {
    // the layout route passes the gate, which reads the store: 200 once the store answers
    realFetch("/_dash-layout", { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.ok || response.status === 401) {  // 401: the session ended, sign in again
          window.clearInterval(timer);
          timer = null;
          window.location.reload();
        }
      })
      .catch(function () { /* the server itself is away: try again later */ });
  }

  window.fetch = function () {
    return realFetch.apply(null, arguments).then(function (response) {
      if (response.status === 503) {
        response.clone().json().then(function (body) {
          if (body && body.yipanqi_store) {
            show(body.message);
          }
        }).catch(function () { /* not ours */ });
      }
      return response;
    });
  };
})();
