#!/usr/bin/env bash
# Installs what TwinWorld needs on a fresh Debian machine (run as root): the C
# libraries the engine links, the independent glTF checkers the tests run, and
# the MQTT broker and PostgreSQL server the ingest tests start themselves.
# Idempotent: a second run only checks that everything is present.
set -euo pipefail

packages=(
  pkg-config
  libassimp-dev     # 3D asset import (TwinAssets)
  libpng-dev        # PNG read/write (TwinAssets, TwinRender)
  zlib1g-dev        # deflate for the sliced PNG writer (CRaster)
  libglm-dev        # math inside the C++ raster kernel (CRaster)
  g++               # CRaster, and the tinygltf loader the tests compile
  gltfpack          # independent glTF check in the tests
  libtinygltf-dev   # independent glTF check in the tests
  python3-pip
  libsqlite3-dev    # SQLite for GRDB: twin sweep results (TwinBatch), the ingest journal (TwinIngest)
  sqlite3           # the batch tests make a foreign SQLite file with it
  chromium          # headless browser: the sweep report (TwinBatch) and the web viewer (TwinServer) tests
  libmosquitto-dev  # MQTT client (CMosquitto, TwinIngest)
  mosquitto         # MQTT broker the ingest tests start on loopback
  libpq-dev         # PostgreSQL client (CLibPQ, TwinIngest)
  postgresql-15     # server the change-data-capture tests start on loopback
  postgresql-15-wal2json  # logical decoding output plugin for those tests
  libjs-three       # three.js for the web viewer (TwinServer serves its installed files)
  libcurl4          # FoundationNetworking: twin sweep fetches a live world's state (fromState URL)
)
python_packages=(pygltflib jsonschema)   # independent glTF and JSON Schema checks in the tests

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

for p in "${python_packages[@]}"; do
  python3 -c "import $p" 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check "$p" >&2
done
