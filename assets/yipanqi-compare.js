/*
 * Yipanqi: the overview's split view: the two maps share one view. A zoom or pan of one map
 * (its `geo.*` relayout keys; the 南海诸岛 inset is geo2 and stays) is applied to the other,
 * unless the other already shows it (no ping-pong).
 */
(function () {
  function graphDiv(graphId) {
    var host = document.getElementById(graphId);
    return host ? host.querySelector(".js-plotly-plot") || host : null;
  }

  function follow(relayout, targetId) {
    var target = graphDiv(targetId);
    if (!relayout || !target || !target._fullLayout || !window.Plotly) return window.dash_clientside.no_update;
    var update = {};
    var changed = false;
    Object.keys(relayout).forEach(function (key) {
      if (key.indexOf("geo.") !== 0) return;
      update[key] = relayout[key];
      var path = key.split(".");
      var here = target._fullLayout;
      for (var i = 0; i < path.length && here !== undefined; i++) here = here[path[i]];
      if (JSON.stringify(here) !== JSON.stringify(relayout[key])) changed = true;
    });
    if (changed) window.Plotly.relayout(target, update);
    return changed ? JSON.stringify(update) : window.dash_clientside.no_update;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    yipanqiCompare: {
      follow: follow,
    },
  });
})();
