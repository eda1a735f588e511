#!/usr/bin/env bash
# Build assets/vendor/plotly-yipanqi.min.js: plotly.js with only the trace types Yipanqi draws
# (choropleth, scattergeo, scatter, bar, heatmap, sankey, indicator) and the zh-CN locale.
# Why: the full plotly.min.js (4.8 MB) takes ~1.2 s to evaluate in headless Chromium on this 2-core
# machine; this bundle (1.6 MB) ~0.2 s. Dash's dcc.Graph uses window.Plotly when it is present, so
# the bundle in assets/ replaces the lazily loaded full build. Keep PLOTLY_JS equal to the plotly.js
# version bundled by the installed plotly Python package (plotly 7.1 -> plotly.js 4.1.1).
set -euo pipefail
PLOTLY_JS="${PLOTLY_JS:-4.1.1}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/entry.js" "$work/"
cd "$work"
npm init -y >/dev/null
npm install --silent "plotly.js@$PLOTLY_JS" esbuild@0
npx esbuild entry.js --bundle --minify --format=iife --legal-comments=eof \
  --define:process.env.NODE_ENV='"production"' --define:global=window --outfile=plotly-yipanqi.min.js
cp plotly-yipanqi.min.js "$here/../../assets/vendor/plotly-yipanqi.min.js"
cp node_modules/plotly.js/LICENSE "$here/../../assets/vendor/LICENSE-plotly.js.txt"
echo "built assets/vendor/plotly-yipanqi.min.js from plotly.js $PLOTLY_JS"
