#!/usr/bin/env bash
# Fetch axe-core (the accessibility rules the browser tests run) from the npm registry, once, into
# .venv/axe-core-<version>/axe.min.js, checking the package's SHA-256. Needs npm (Debian's nodejs/npm).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=4.14.1
SHA256=e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745
target=".venv/axe-core-$VERSION"
[ -f "$target/axe.min.js" ] && exit 0
if ! command -v npm >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq npm >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@$VERSION" >/dev/null)
echo "$SHA256  $work/axe-core-$VERSION.tgz" | sha256sum --check --quiet
tar -xzf "$work/axe-core-$VERSION.tgz" -C "$work"
mkdir -p "$target"
cp "$work/package/axe.min.js" "$work/package/LICENSE" "$target/"
