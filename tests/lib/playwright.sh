# playwright-core for the browser tests (source after tests/lib/vigil.sh):
# Debian's /usr/bin/chromium driven from node, never a downloaded browser.
# The version is the one locked in tools/central/tests/browser/package-lock.json.

# vt_playwright_require: skips (77) without chromium, node or npm.
vt_playwright_require() {
  [[ -x /usr/bin/chromium ]] || { echo "SKIP: /usr/bin/chromium is not installed (tools/setup installs it)" >&2; exit 77; }
  command -v node >/dev/null && command -v npm >/dev/null || { echo "SKIP: node/npm not installed" >&2; exit 77; }
}

# vt_playwright_install DIR SCRIPT...: playwright-core exactly as locked into
# DIR (npm ci, no install scripts, no browser download), the scenario
# scripts beside it. A failing install is a failure unless the registry is
# unreachable (then the test is skipped).
vt_playwright_install() {
  local dir=$1 lock=$VIGIL_SOURCE/tools/central/tests/browser
  shift
  mkdir -p "$dir"
  cp "$lock/package.json" "$lock/package-lock.json" "$@" "$dir/"
  if ! (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund >"$VT_DIR/npm.log" 2>&1); then
    timeout 20 npm ping >/dev/null 2>&1 || { echo "SKIP: npm registry unreachable: cannot install playwright-core" >&2; exit 77; }
    cat "$VT_DIR/npm.log" >&2
    vt_fail "npm ci of playwright-core failed"
  fi
}
