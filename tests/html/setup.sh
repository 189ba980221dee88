#!/bin/sh
# Set-up of the browser test (tests/cli_html.sh): Debian's chromium, Node.js
# and npm from apt when their commands are missing (through
# scripts/install-deps.sh), then playwright-core, at the version
# package-lock.json pins, into tests/html/node_modules (ignored by git).
# Playwright drives the system's chromium; it downloads no browser.
# Quiet when everything is there; prints what it installs.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

want=""
[ -x /usr/bin/chromium ] || want="$want chromium"
command -v node >/dev/null 2>&1 || want="$want nodejs"
command -v npm >/dev/null 2>&1 || want="$want npm"
if [ -n "$want" ]; then
    # shellcheck disable=SC2086
    sh "$root/scripts/install-deps.sh" $want >&2
fi
if [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
    echo "tests/html/setup.sh: installing playwright-core (npm ci)" >&2
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
