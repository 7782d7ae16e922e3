#!/usr/bin/env bash
# Installs the peer tools `twin bench render` compares against (run as root):
# trimesh (glTF export), pyrender on OSMesa/llvmpipe (rendering), pygltflib, Pillow;
# JuPedSim for `twin bench pedestrians`; SimPy for `twin bench machines`;
# SUMO for `twin bench vehicles` (run it with SUMO_HOME=/usr/share/sumo);
# MuJoCo and PyBullet for `twin bench physics`.
# Idempotent: a second run only checks that everything is present.
set -euo pipefail

if ! dpkg-query -W -f='${Status}' libosmesa6 2>/dev/null | grep -q 'install ok installed'; then
  echo "bench-setup: installing libosmesa6" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends libosmesa6 python3-pip >&2
fi

if ! python3 -c "import trimesh, pyrender, pygltflib, OpenGL, PIL" 2>/dev/null; then
  echo "bench-setup: installing trimesh pyrender pygltflib PyOpenGL==3.1.10 pillow" >&2
  python3 -m pip install --quiet --disable-pip-version-check trimesh pyrender pygltflib 'PyOpenGL==3.1.10' pillow >&2 \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages \
         trimesh pyrender pygltflib 'PyOpenGL==3.1.10' pillow >&2
fi

# Pedestrians: JuPedSim (C++ core behind a Python API) and shapely for its geometry.
if ! python3 -c "import jupedsim, shapely" 2>/dev/null; then
  echo "bench-setup: installing jupedsim shapely" >&2
  python3 -m pip install --quiet --disable-pip-version-check jupedsim shapely >&2 \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages jupedsim shapely >&2
fi

# Machines: SimPy.
if ! python3 -c "import simpy" 2>/dev/null; then
  echo "bench-setup: installing simpy" >&2
  python3 -m pip install --quiet --disable-pip-version-check simpy >&2 \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages simpy >&2
fi

# SUMO (the vehicles peer: sumo, netgenerate, duarouter, randomTrips.py under /usr/share/sumo/tools).
if ! dpkg-query -W -f='${Status}' sumo-tools 2>/dev/null | grep -q 'install ok installed'; then
  echo "bench-setup: installing sumo sumo-tools" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends sumo sumo-tools >&2
fi
# Physics: MuJoCo and PyBullet (the peers of `twin bench physics`).
if ! python3 -c "import mujoco, pybullet" 2>/dev/null; then
  echo "bench-setup: installing mujoco pybullet" >&2
  python3 -m pip install --quiet --disable-pip-version-check mujoco pybullet >&2 \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages mujoco pybullet >&2
fi
echo "bench-setup: peers ready (run pyrender with PYOPENGL_PLATFORM=osmesa)" >&2
