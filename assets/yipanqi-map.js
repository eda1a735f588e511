/*
 * Yipanqi: paint a national choropleth from a small payload, without re-plotting.
 *
 * plotly.js redraws every county path on `Plotly.restyle` of z (~0.4 s for 2,875 counties here).
 * The overview sends the figure (locations, geometry URL) once per level; a change of measure or
 * period sends only {codes, colors, text} and this function sets each path's fill and the hover
 * text on plotly's calcdata point (hoverinfo "text" reads `pt.tx`). After any later re-plot
 * (resize, relayout) the last payload is painted again from the `plotly_afterplot` event.
 */
(function () {
  function graphDiv(graphId) {
    var host = document.getElementById(graphId);
    return host ? host.querySelector(".js-plotly-plot") || host : null;
  }

  function paint(gd) {
    var payload = gd.__yipanqiPayload;
    if (!payload || !gd.calcdata || !gd.calcdata[0]) return false;
    var index = gd.__yipanqiIndex;
    if (!index || gd.__yipanqiIndexCodes !== payload.codes) {
      index = {};
      for (var i = 0; i < payload.codes.length; i++) index[payload.codes[i]] = i;
      gd.__yipanqiIndex = index;
      gd.__yipanqiIndexCodes = payload.codes;
    }
    var cd = gd.calcdata[0];
    var matched = 0;
    for (var j = 0; j < cd.length; j++) {
      var k = index[cd[j].loc];
      if (k !== undefined) { cd[j].tx = payload.text[k]; matched++; }
    }
    // a payload for another level than the plotted figure (its new figure is on its way):
    // wait for that figure's afterplot rather than stamp a map that was not painted
    if (matched < cd.length) return false;
    var layer = gd.querySelector(".geo .choroplethlayer .trace");
    if (!layer) return false;
    var paths = layer.querySelectorAll("path.choroplethlocation");
    if (!paths.length) return false;
    for (var p = 0; p < paths.length; p++) {
      var d = paths[p].__data__;
      var c = d ? index[d.loc] : undefined;
      if (c !== undefined) paths[p].style.fill = payload.colors[c];
    }
    gd.setAttribute("data-painted", payload.stamp);
    return true;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    yipanqi: {
      paintMap: function (payload, graphId) {
        var gd = graphDiv(graphId);
        if (!payload) return window.dash_clientside.no_update;
        if (!gd || !gd.on) {  // the graph is not plotted yet: try again shortly
          setTimeout(function () { window.dash_clientside.yipanqi.paintMap(payload, graphId); }, 50);
          return window.dash_clientside.no_update;
        }
        gd.__yipanqiPayload = payload;
        if (!gd.__yipanqiHooked && gd.on) {
          gd.on("plotly_afterplot", function () { paint(gd); });
          gd.__yipanqiHooked = true;
        }
        paint(gd);
        return payload.stamp;
      },
      /* Keep the page state in the address bar without re-rendering the page. */
      replaceQuery: function (search) {
        if (search !== undefined && search !== null && window.location.search !== search) {
          window.history.replaceState(window.history.state, "", window.location.pathname + search);
        }
        return search;
      },
    },
  });
})();
