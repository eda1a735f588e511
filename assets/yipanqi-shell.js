/*
 * Yipanqi: the language switch keeps the view. Pages write their state into the URL with
 * history.replaceState (no navigation, so the shell's link would keep the query of the page's
 * first load): the link's target is taken from the address bar at the moment it is clicked.
 */
(function () {
  document.addEventListener(
    "click",
    function (event) {
      var link = event.target.closest && event.target.closest("#shell-lang");
      if (!link) return;
      var params = new URLSearchParams(window.location.search);
      params.set("lang", params.get("lang") === "en" ? "zh" : "en");
      link.href = window.location.pathname + "?" + params.toString();
    },
    true
  );
})();
