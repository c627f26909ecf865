/* Result charts: the server builds each plotly figure from the stored count and embeds it as JSON; this
   file only draws them with the vendored plotly.js. Without JavaScript the page's tables carry the same
   figures. The camera button in each chart's toolbar downloads it as a PNG. */
(function () {
  "use strict";

  var source = document.getElementById("results-charts");
  if (!source || !window.Plotly) { return; }
  var payload = JSON.parse(source.textContent);
  var figures = payload.figures || {};

  var locales = {};
  locales[payload.locale] = { dictionary: payload.words || {} };

  function config(name) {
    return {
      locale: payload.locale,
      locales: locales,
      displaylogo: false,
      displayModeBar: true,
      responsive: true,
      modeBarButtons: [["toImage"]],
      toImageButtonOptions: { format: "png", filename: payload.filename + "-" + name, scale: 2 }
    };
  }

  function fit(layout, element) {
    // Narrow screens: less margin and a compact legend, so the bars keep the room.
    if (element.clientWidth < 500) {
      layout.margin = { l: 48, r: layout.yaxis2 ? 48 : 12, t: 36, b: 48 };
      layout.font = Object.assign({}, layout.font, { size: 12 });
    }
    return layout;
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), function (element) {
    var name = element.getAttribute("data-chart");
    var figure = figures[name];
    if (!figure) { return; }
    window.Plotly.newPlot(element, figure.data, fit(figure.layout, element), config(name)).then(function () {
      element.classList.add("is-drawn");
    });
  });
})();
