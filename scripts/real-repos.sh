#!/usr/bin/env bash
# Builds fixture repositories from real, widely used projects, OUTSIDE this repository (default /tmp/cosplay-real),
# to measure `cosplay gate --all --dry-run` the way a new user would meet it: Debian's python3-* packages
# (apt-get download + dpkg-deb -x; their dependencies installed with apt-get for Debian's /usr/bin/python3) and
# npm packages (npm pack + npm install of their dependencies into the fixture's node_modules). Third-party code
# never enters this repository.
#
#   bash scripts/real-repos.sh [OUT]        # build (idempotent; needs root for apt-get install)
#   bash scripts/real-repos.sh [OUT] run    # build, then run the dry-run and the independent count on each
#
# Layouts: requests, idna, markupsafe, attrs, dateutil, pygments: flat (PKG/ at the root); click, jinja2, urllib3: src layout
# (src/PKG/). JavaScript: express (CommonJS, dependencies installed), commander (CommonJS classes), micromark
# and unified (ESM only, "type": "module", dependencies installed; unified has a class with many methods).
# TypeScript (packages that publish their .ts sources): zod 4 (ESM, imports say './x.js' for './x.ts'; its v3 API
# uses namespaces, which run through the repository's own `typescript`, installed as `npm ci` would install this
# devDependency) and rxjs 7 (CommonJS, extensionless imports, enums, tsconfig paths, tslib).
set -euo pipefail

OUT=${1:-/tmp/cosplay-real}
ACTION=${2:-build}
HERE=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$OUT/debs" "$OUT/npm" "$OUT/py" "$OUT/js" "$OUT/ts"

# Debian package -> module directories -> layout.
PY_PACKAGES=(
  "requests python3-requests requests flat"
  "urllib3 python3-urllib3 urllib3 src"
  "idna python3-idna idna flat"
  "jinja2 python3-jinja2 jinja2 src"
  "markupsafe python3-markupsafe markupsafe flat"
  "click python3-click click src"
  "attrs python3-attr attr,attrs flat"
  "dateutil python3-dateutil dateutil flat"
  "pygments python3-pygments pygments flat"
)
# Their runtime dependencies, for Debian's python (the modules import them when they load).
PY_DEPS=(python3-requests python3-urllib3 python3-idna python3-chardet python3-charset-normalizer python3-certifi
  python3-jinja2 python3-markupsafe python3-click python3-attr python3-socks python3-brotli python3-six python3-dateutil python3-pygments)

JS_PACKAGES=(
  "express express@4.21.2"
  "commander commander@14.0.3"
  "micromark micromark@4.0.2"
  "unified unified@11.0.5"
)

TS_PACKAGES=(
  "zod zod@4.6.7 typescript@5.9"
  "rxjs rxjs@7.8.2"
)

if [ ! -f "$OUT/.apt-deps" ]; then
  if ! apt-cache policy python3-requests 2>/dev/null | grep -q Candidate; then apt-get update -qq; fi
  apt-get install -y -qq "${PY_DEPS[@]}" >/dev/null
  touch "$OUT/.apt-deps"
fi

for spec in "${PY_PACKAGES[@]}"; do
  read -r name deb mods layout <<<"$spec"
  dest="$OUT/py/$name"
  [ -d "$dest" ] && continue
  (cd "$OUT/debs" && ls ${deb}_*.deb >/dev/null 2>&1 || apt-get download -qq "$deb")
  x="$OUT/debs/$deb"
  rm -rf "$x" && mkdir -p "$x" && dpkg-deb -x "$OUT"/debs/${deb}_*.deb "$x"
  base="$dest"
  [ "$layout" = src ] && base="$dest/src"
  mkdir -p "$base"
  for m in ${mods//,/ }; do cp -r "$x/usr/lib/python3/dist-packages/$m" "$base/$m"; done
  find "$dest" -name __pycache__ -prune -exec rm -rf {} +
done

for spec in "${JS_PACKAGES[@]}"; do
  read -r name pkg <<<"$spec"
  dest="$OUT/js/$name"
  [ -d "$dest/node_modules" ] || [ -f "$dest/.no-deps" ] && continue
  rm -rf "$dest" && mkdir -p "$dest"
  tgz=$(cd "$OUT/npm" && npm pack "$pkg" --silent 2>/dev/null | tail -1)
  tar -xzf "$OUT/npm/$tgz" -C "$dest" --strip-components=1
  (cd "$dest" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --silent >/dev/null 2>&1) || true
  [ -d "$dest/node_modules" ] || touch "$dest/.no-deps"
done

for spec in "${TS_PACKAGES[@]}"; do
  read -r name pkg dev <<<"$spec"
  dest="$OUT/ts/$name"
  [ -d "$dest/node_modules" ] && continue
  rm -rf "$dest" && mkdir -p "$dest"
  tgz=$(cd "$OUT/npm" && npm pack "$pkg" --silent 2>/dev/null | tail -1)
  tar -xzf "$OUT/npm/$tgz" -C "$dest" --strip-components=1
  (cd "$dest" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --legacy-peer-deps --silent >/dev/null 2>&1) || true
  if [ -n "${dev:-}" ]; then
    (cd "$dest" && npm install --no-save --ignore-scripts --no-audit --no-fund --legacy-peer-deps --silent "$dev" >/dev/null 2>&1) || true
  fi
  mkdir -p "$dest/node_modules"
done

echo "fixtures in $OUT: $(ls "$OUT/py" | tr '\n' ' ')$(ls "$OUT/js" | tr '\n' ' ')$(ls "$OUT/ts" | tr '\n' ' ')"

if [ "$ACTION" = run ]; then
  # The CLI of this checkout (not the committed bundle, which may be older): compiled by tsc under node_modules.
  BUILD="$HERE/node_modules/.cache/cosplay-cli"
  (cd "$HERE" && npx tsc -p tsconfig.json --noEmit false --outDir "$BUILD" --declaration false) ||
    echo "(tsc reported type errors; running what it emitted)"
  CLI=(node "$BUILD/src/cli.js")
  for d in "$OUT"/py/* "$OUT"/js/* "$OUT"/ts/*; do
    name=$(basename "$d")
    lang=python
    case "$d" in */js/*) lang=javascript ;; */ts/*) lang=typescript ;; esac
    echo "== $name"
    node "$HERE/scripts/count-documented.mjs" "$d" "$lang" > "$OUT/$name.documented.json"
    start=$(date +%s.%N)
    "${CLI[@]}" gate --repo "$d" --all --dry-run --json "$OUT/$name.gate.json" --python /usr/bin/python3
    end=$(date +%s.%N)
    node "$HERE/scripts/count-documented.mjs" --compare "$OUT/$name.documented.json" "$OUT/$name.gate.json" \
      "$(echo "$end - $start" | bc)"
  done
fi
