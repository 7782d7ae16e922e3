#!/bin/sh
# Builds the DocC reference of the plugin API (module TwinCore, with the articles in
# Sources/TwinCore/TwinCore.docc) into .build/docs/TwinCore.doccarchive, failing on any
# warning (a broken symbol link, an unknown article). Uses docc from the Swift toolchain.
#
#   Tools/docs.sh                      build TwinCore (debug), then the archive
#   Tools/docs.sh --modules DIR        use modules already built in DIR (the tests do)
#   Tools/docs.sh --static DIR         also write a static website to DIR
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
modules=""
static=""
while [ $# -gt 0 ]; do
    case "$1" in
        --modules) modules="$2"; shift 2 ;;
        --static) static="$2"; shift 2 ;;
        *) echo "usage: Tools/docs.sh [--modules DIR] [--static DIR]" >&2; exit 2 ;;
    esac
done
if [ -z "$modules" ]; then
    swift build --package-path "$root" --target TwinCore
    modules="$(swift build --package-path "$root" --show-bin-path)/Modules"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
swift symbolgraph-extract -module-name TwinCore -I "$modules" -I "$root/Sources/CMalloc" \
    -target "$(uname -m)-unknown-linux-gnu" -minimum-access-level public -output-dir "$work"
mkdir -p "$root/.build/docs"
docc convert "$root/Sources/TwinCore/TwinCore.docc" --additional-symbol-graph-dir "$work" \
    --output-path "$root/.build/docs/TwinCore.doccarchive" \
    --fallback-display-name TwinCore --fallback-bundle-identifier org.twinworld.TwinCore --warnings-as-errors
if [ -n "$static" ]; then
    docc process-archive transform-for-static-hosting "$root/.build/docs/TwinCore.doccarchive" --output-path "$static"
fi
echo "documentation: $root/.build/docs/TwinCore.doccarchive"
