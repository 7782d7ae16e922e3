/// The web viewer (`GET /`): lists worlds, follows one over the WebSocket stream in
/// 3D (three.js r111 from Debian's libjs-three, served by us at `/vendor/`; one
/// `InstancedMesh` per kind), falls back to the PNG snapshot without WebGL, draws
/// KPI sparklines, shows an entity's state on click, and has play/pause/step/speed
/// controls. `?png` forces the fallback. `window.twin` exposes its state to the browser test.
enum ViewerPage {
    static let html = #"""
<!doctype html>
<html><head><meta charset="utf-8"><title>TwinWorld viewer</title>
<style>
body{margin:0;font:13px system-ui,sans-serif;display:grid;grid-template-columns:240px 1fr 300px;height:100vh;background:#f4f4f2}
#left,#right{padding:8px;overflow:auto;background:#fff}
#view{position:relative}#view canvas,#view img{width:100%;height:100%;display:block}
button{margin:2px}li{cursor:pointer}li.sel{font-weight:bold}
.kpi{display:flex;justify-content:space-between;align-items:center}pre{white-space:pre-wrap;font-size:11px}
#status{position:absolute;left:8px;top:8px;background:#fffc;padding:4px}
</style></head><body>
<div id="left"><h3>Worlds</h3><ul id="worlds"></ul>
<div id="controls"><button id="play">play</button><button id="pause">pause</button><button id="step">step</button>
<label>speed <input id="speed" type="number" value="1" min="0.1" max="100" step="0.1" style="width:4em"></label></div></div>
<div id="view"><div id="status">no world</div></div>
<div id="right"><h3>KPIs</h3><div id="kpis"></div><h3>Entity</h3><pre id="entity">click an entity</pre></div>
<script src="/vendor/three.min.js"></script>
<script>
"use strict";
const token = new URLSearchParams(location.search).get("token") || "";
const auth = token ? {Authorization: "Bearer " + token} : {};
const twin = window.twin = {world: null, step: -1, entities: 0, frames: 0, selected: null, webgl: false, error: null};
const view = document.getElementById("view"), statusBox = document.getElementById("status");
let renderer = null, scene, camera, meshes = {}, entities = new Map(), kinds = new Map(), socket = null, kpiNames = [];
const palette = {pedestrian: 0x3070e0, vehicle: 0xe07030, machine: 0x808080, crate: 0xc09040, body: 0x40a060, part: 0xc03030};

async function api(path, opts) {
  const r = await fetch(path, Object.assign({headers: Object.assign({"Content-Type": "application/json"}, auth)}, opts || {}));
  if (!r.ok) throw new Error(path + ": " + r.status + " " + await r.text());
  return r.status === 204 ? null : r.json();
}

function initGL() {
  try {
    renderer = new THREE.WebGLRenderer({antialias: true, preserveDrawingBuffer: true});
  } catch (e) { renderer = null; }
  if (!renderer || !renderer.getContext()) { renderer = null; return false; }
  renderer.setSize(view.clientWidth, view.clientHeight);
  view.insertBefore(renderer.domElement, statusBox);
  scene = new THREE.Scene(); scene.background = new THREE.Color(0xdde4ea);
  camera = new THREE.PerspectiveCamera(50, view.clientWidth / view.clientHeight, 0.1, 5000);
  scene.add(new THREE.HemisphereLight(0xffffff, 0x667788, 1.0));
  const sun = new THREE.DirectionalLight(0xffffff, 0.6); sun.position.set(30, 60, 20); scene.add(sun);
  scene.add(new THREE.GridHelper(200, 100, 0x99a0a8, 0xc4c9ce));
  renderer.domElement.addEventListener("click", pick);
  return true;
}

function meshFor(kind) {
  if (meshes[kind]) return meshes[kind];
  const geo = kind === "pedestrian" ? new THREE.CylinderBufferGeometry(0.5, 0.5, 1, 12).translate(0, 0.5, 0)
                                     : new THREE.BoxBufferGeometry(1, 1, 1).translate(0, 0.5, 0);
  const mat = new THREE.MeshLambertMaterial({color: palette[kind] || 0x9060c0});
  const m = {capacity: 0, mesh: null, geo, mat, ids: []};
  meshes[kind] = m;
  return m;
}

function rebuild() {
  // One InstancedMesh per kind, sized to the entities of that kind.
  const byKind = {};
  for (const [id, e] of entities) (byKind[e.kind] = byKind[e.kind] || []).push(id);
  for (const kind of new Set(Object.keys(byKind).concat(Object.keys(meshes)))) {
    const ids = byKind[kind] || [], m = meshFor(kind);
    if (ids.length > m.capacity || ids.length < m.capacity / 4) {
      if (m.mesh) scene.remove(m.mesh);
      m.capacity = Math.max(16, ids.length * 2);
      m.mesh = new THREE.InstancedMesh(m.geo, m.mat, m.capacity);
      m.mesh.instanceMatrix.setUsage(THREE.DynamicDrawUsage);
      scene.add(m.mesh);
    }
    m.ids = ids; m.mesh.count = ids.length;
  }
}

// Messages can outpace a software-rendered canvas: draw at most once per animation frame.
let drawPending = false;
function scheduleDraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => { drawPending = false; draw(); });
}

const tmp = new THREE.Matrix4(), q = new THREE.Quaternion(), p = new THREE.Vector3(), s = new THREE.Vector3();
function draw() {
  if (!renderer) return;
  for (const kind in meshes) {
    const m = meshes[kind]; if (!m.mesh) continue;
    m.ids.forEach((id, i) => {
      const e = entities.get(id);
      p.set(e.t[0], e.t[1], e.t[2]); q.set(e.t[3], e.t[4], e.t[5], e.t[6]); s.set(e.t[7], e.t[8], e.t[9]);
      m.mesh.setMatrixAt(i, tmp.compose(p, q, s));
    });
    m.mesh.instanceMatrix.needsUpdate = true;
  }
  renderer.render(scene, camera);
}

function frameCamera() {
  let lo = [1e9, 1e9], hi = [-1e9, -1e9];
  for (const e of entities.values()) { lo = [Math.min(lo[0], e.t[0]), Math.min(lo[1], e.t[2])]; hi = [Math.max(hi[0], e.t[0]), Math.max(hi[1], e.t[2])]; }
  if (lo[0] > hi[0]) { lo = [-10, -10]; hi = [10, 10]; }
  const cx = (lo[0] + hi[0]) / 2, cz = (lo[1] + hi[1]) / 2, r = Math.max(5, hi[0] - lo[0], hi[1] - lo[1]);
  camera.position.set(cx + r * 0.6, r * 0.8, cz + r * 0.9); camera.lookAt(cx, 0, cz);
}

// The compact layout TWD2 (README, "Streams"): per record a change mask, the id as a
// LEB128 difference, then only the fields that changed; positions on a grid.
function onBinary(buf) {
  const dv = new DataView(buf);
  if (dv.getUint32(0, true) !== 0x32445754) return;  // "TWD2"
  const keyframe = dv.getUint32(4, true) & 1, n = dv.getUint32(24, true), removed = dv.getUint32(28, true);
  twin.step = dv.getFloat64(8, true);
  const origin = [dv.getFloat64(32, true), dv.getFloat64(40, true), dv.getFloat64(48, true)], quantum = dv.getFloat32(56, true);
  if (keyframe) entities.clear();
  let o = 60, id = 0, changedSet = keyframe;
  const leb128 = () => { let v = 0, scale = 1, b; do { b = dv.getUint8(o++); v += (b & 127) * scale; scale *= 128; } while (b & 128); return v; };
  const f32 = () => { o += 4; return dv.getFloat32(o - 4, true); };
  for (let i = 0; i < n; i++) {
    const mask = dv.getUint8(o++), raw = mask & 8;
    id += leb128();
    let e = entities.get(id);
    if (!e) { e = {t: [0, 0, 0, 0, 0, 0, 1, 1, 1, 1], kind: kinds.get(id) || ""}; entities.set(id, e); changedSet = true; }
    const t = e.t;
    if (mask & 1) for (let k = 0; k < 3; k++) {
      if (raw) t[k] = f32(); else { t[k] = origin[k] + quantum * (dv.getUint16(o, true) + 65536 * dv.getUint8(o + 2)); o += 3; }
    }
    if (mask & 2) for (let k = 3; k < 7; k++) {
      if (raw) t[k] = f32(); else { t[k] = dv.getInt16(o, true) / 32767; o += 2; }
    }
    if (mask & 4) for (let k = 7; k < 10; k++) t[k] = f32();
  }
  id = 0;
  for (let i = 0; i < removed; i++) {
    id += leb128();
    if (entities.delete(id)) changedSet = true;
  }
  twin.entities = entities.size; twin.frames++;
  if (renderer) { if (changedSet) rebuild(); if (keyframe) frameCamera(); scheduleDraw(); }
  statusBox.textContent = twin.world + " · step " + twin.step + " · " + entities.size + " entities";
}

function onText(msg) {
  const m = JSON.parse(msg);
  if (m.type === "delta") {
    for (const sp of m.spawned) { kinds.set(sp.id, sp.kind); const e = entities.get(sp.id); if (e) e.kind = sp.kind; }
    showKPIs(m.kpis);
  }
}

const history = {};
function showKPIs(k) {
  const box = document.getElementById("kpis");
  for (const name in k) {
    const h = history[name] = history[name] || []; h.push(k[name]); if (h.length > 200) h.shift();
    let row = document.getElementById("kpi-" + name);
    if (!row) {
      row = document.createElement("div"); row.className = "kpi"; row.id = "kpi-" + name;
      row.innerHTML = "<span></span><canvas width=100 height=24></canvas>"; box.appendChild(row);
    }
    row.firstChild.textContent = name + ": " + (k[name] === null ? "–" : (+k[name]).toPrecision(4));
    const c = row.lastChild.getContext("2d"), v = h.filter(x => x !== null);
    c.clearRect(0, 0, 100, 24); if (v.length < 2) continue;
    const lo = Math.min(...v), hi = Math.max(...v), span = hi - lo || 1;
    c.beginPath(); v.forEach((x, i) => c.lineTo(i * 100 / (v.length - 1), 22 - 20 * (x - lo) / span)); c.stroke();
  }
}

function pick(ev) {
  // Nearest entity on screen to the click (works for every InstancedMesh).
  const r = renderer.domElement.getBoundingClientRect();
  const x = (ev.clientX - r.left) / r.width * 2 - 1, y = -(ev.clientY - r.top) / r.height * 2 + 1;
  let best = null, bestD = 0.05 * 0.05;
  for (const [id, e] of entities) {
    p.set(e.t[0], e.t[1] + e.t[8] / 2, e.t[2]).project(camera);
    const d = (p.x - x) ** 2 + (p.y - y) ** 2;
    if (p.z < 1 && d < bestD) { bestD = d; best = id; }
  }
  if (best === null) return;
  api("/api/worlds/" + twin.world + "/entities/" + best).then(e => {
    twin.selected = e; document.getElementById("entity").textContent = JSON.stringify(e, null, 1);
  }).catch(err => twin.error = String(err));
}

function follow(id) {
  if (socket) socket.close();
  twin.world = id; entities.clear(); kinds.clear();
  for (const li of document.querySelectorAll("#worlds li")) li.className = li.dataset.id === id ? "sel" : "";
  if (!renderer) {
    let img = view.querySelector("img");
    if (!img) { img = document.createElement("img"); view.insertBefore(img, statusBox); }
    const refresh = () => { if (twin.world === id) img.src = "/api/worlds/" + id + "/snapshot.png?size=960x540&token=" + encodeURIComponent(token) + "&t=" + Date.now(); };
    img.onload = () => { twin.frames++; setTimeout(refresh, 500); }; refresh();
    return;
  }
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(proto + "//" + location.host + "/api/worlds/" + id + "/stream?format=2&interval=0.05&token=" + encodeURIComponent(token));
  socket.binaryType = "arraybuffer";
  socket.onmessage = ev => typeof ev.data === "string" ? onText(ev.data) : onBinary(ev.data);
  socket.onerror = () => twin.error = "stream error";
}

async function loadWorlds() {
  const list = (await api("/api/worlds")).worlds, ul = document.getElementById("worlds");
  ul.innerHTML = "";
  for (const w of list) {
    const li = document.createElement("li"); li.textContent = w.id + " (" + w.scene + ")"; li.dataset.id = w.id;
    li.onclick = () => follow(w.id); ul.appendChild(li);
  }
  if (list.length && !twin.world) follow(list[0].id);
}

const control = (what, body) => () => api("/api/worlds/" + twin.world + "/" + what, {method: "POST", body: JSON.stringify(body ? body() : {})}).catch(e => twin.error = String(e));
document.getElementById("play").onclick = control("play", () => ({speed: +document.getElementById("speed").value}));
document.getElementById("pause").onclick = control("pause");
document.getElementById("step").onclick = control("step", () => ({count: 1}));
// `?png` forces the snapshot fallback (what a browser without WebGL gets).
twin.webgl = !new URLSearchParams(location.search).has("png") && initGL();
loadWorlds().catch(e => { twin.error = String(e); statusBox.textContent = twin.error; });
</script></body></html>
"""#
}
