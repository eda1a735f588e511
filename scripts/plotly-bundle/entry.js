var Plotly = require('plotly.js/lib/core');
Plotly.register([
  require('plotly.js/lib/choropleth'),
  require('plotly.js/lib/scattergeo'),
  require('plotly.js/lib/bar'),
  require('plotly.js/lib/heatmap'),
  require('plotly.js/lib/sankey'),
  require('plotly.js/lib/indicator'),
  require('plotly.js/lib/locales/zh-cn'),
]);
window.Plotly = Plotly;
