#!/usr/bin/env bash
# Copy the pinned npm front-end packages' dist files and licences into src/duban/static/vendor/.
# Run after changing package.json (`make vendor`); the copies are committed so running needs no Node.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --ignore-scripts
dest=src/duban/static/vendor
rm -rf "$dest"
mkdir -p "$dest/bootstrap"
cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map \
   node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map \
   node_modules/bootstrap/LICENSE "$dest/bootstrap/"
mkdir -p "$dest/echarts"
cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE node_modules/echarts/NOTICE "$dest/echarts/"
for pkg in bootstrap echarts; do
  printf '%s %s\n' "$pkg" "$(node -p "require('./node_modules/$pkg/package.json').version")"
done > "$dest/VERSIONS"
echo "vendored into $dest:"; cat "$dest/VERSIONS"
