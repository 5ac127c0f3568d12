// dyads dashboard: filters, timeline, map, network, events table and the event view.
// Plain JavaScript and SVG, no library and nothing loaded from outside this server. The state
// lives in the URL hash (#source=ISR&root=19&event=<id>), so every view can be linked to.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const QUADS = [
  ["verbal_coop", "q1", "verbal cooperation"],
  ["material_coop", "q2", "material cooperation"],
  ["verbal_conflict", "q3", "verbal conflict"],
  ["material_conflict", "q4", "material conflict"],
];
const FILTER_KEYS = ["actor", "source", "target", "root", "quad_class", "plover_type", "modality", "since", "until", "place", "q"];
const ROLE_NAMES = { source: "source", trigger: "trigger (the event)", target: "target", attribution: "attributed to", date: "date", location: "place" };

const state = { meta: null, outlines: null, outlinesTried: false, nextCursor: null, lastQuery: null, loading: 0 };

// -- helpers ----------------------------------------------------------------------------------

function $(sel) { return document.querySelector(sel); }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

function showError(message) {
  const box = $("#error");
  if (!message) { box.hidden = true; box.textContent = ""; return; }
  box.hidden = false;
  box.textContent = message;
}

async function api(path, params) {
  const query = params && [...params].length ? "?" + params.toString() : "";
  const response = await fetch(path + query, { headers: { Accept: "application/json" } });
  let body = null;
  try { body = await response.json(); } catch (err) { body = null; }
  if (!response.ok) {
    const fields = body && body.fields ? " (" + body.fields.map((f) => f.field + ": " + f.message).join("; ") + ")" : "";
    throw new Error((body && body.error ? body.error : response.status + " " + response.statusText) + fields);
  }
  return body;
}

function hashParams() { return new URLSearchParams(location.hash.replace(/^#/, "")); }

function setHash(params) {
  const text = params.toString();
  if (location.hash.replace(/^#/, "") === text) route();
  else location.hash = text;
}

function pageLimit(wanted) { return Math.min(wanted, state.meta ? state.meta.max_page : wanted); }

function fmt(n) { return n === null || n === undefined ? "" : Number(n).toLocaleString("en"); }

function actorLabel(m) {
  if (!m) return "—";
  return m.code ? m.code + (m.name ? " · " + m.name : "") : m.text;
}

// -- filters ------------------------------------------------------------------------------------

function filterParams(hash) {
  // The API filters in the hash → the query of /api/events and friends.
  const out = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = hash.get(key);
    if (value) out.set(key, value.trim());
  }
  if (hash.get("both") && out.get("source") && out.get("target")) {
    out.set("dyad", out.get("source") + "," + out.get("target"));
    out.delete("source");
    out.delete("target");
  }
  return out;
}

function formToHash() {
  const form = $("#filters");
  const params = new URLSearchParams();
  for (const key of [...FILTER_KEYS, "both"]) {
    const field = form.elements[key];
    if (!field) continue;
    const value = field.type === "checkbox" ? (field.checked ? "1" : "") : field.value.trim();
    if (value) params.set(key, value);
  }
  const period = $("#period").value;
  if (period !== "month") params.set("by", period);
  const netBy = $("#network-by").value;
  if (netBy !== "actor") params.set("net", netBy);
  return params;
}

function hashToForm(hash) {
  const form = $("#filters");
  for (const key of [...FILTER_KEYS, "both"]) {
    const field = form.elements[key];
    if (!field) continue;
    if (field.type === "checkbox") field.checked = !!hash.get(key);
    else field.value = hash.get(key) || "";
  }
  $("#period").value = hash.get("by") || "month";
  $("#network-by").value = hash.get("net") || "actor";
}

function fillMenus(meta) {
  const form = $("#filters");
  for (const r of meta.roots) form.elements.root.append(el("option", { value: r.root, text: r.root + " " + r.label }));
  for (const q of meta.quad_classes) form.elements.quad_class.append(el("option", { value: q.quad_class, text: q.quad_class + " " + q.label }));
  for (const p of meta.plover_types) {
    form.elements.plover_type.append(el("option", { value: p.type, text: p.type.toLowerCase() + (p.in_store ? "" : " (none stored)") }));
  }
  for (const m of meta.modalities) form.elements.modality.append(el("option", { value: m.name, text: m.name, title: m.text }));
  const s = meta.store;
  $("#store-summary").textContent = `${meta.database}: ${fmt(s.articles)} articles, ${fmt(s.events)} event reports in ${fmt(s.clusters)} events` +
    (s.first_date ? `, ${s.first_date} to ${s.last_date}` : "") + (meta.writable ? " · accepts new articles" : " · read-only");
  $("#version").textContent = meta.dyads;
}

async function fillActors() {
  const list = $("#actor-codes");
  try {
    const data = await api("/api/actors", new URLSearchParams({ limit: String(pageLimit(200)) }));
    clear(list);
    for (const a of data.actors) list.append(el("option", { value: a.code, label: `${a.code}${a.name ? " · " + a.name : ""} (${a.events})` }));
  } catch (err) { /* the menu is a convenience */ }
}

// -- timeline -----------------------------------------------------------------------------------

function drawTimeline(rows, by) {
  const box = $("#timeline");
  clear(box);
  const W = box.clientWidth || 900, H = box.clientHeight || 260;
  box.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const m = { l: 44, r: 52, t: 10, b: 34 };
  if (!rows.length) {
    box.append(svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "empty", text: "no dated events match the filters" }));
    return;
  }
  const maxN = Math.max(1, ...rows.map((r) => r.events));
  const gold = rows.map((r) => r.goldstein || 0);
  const gMax = Math.max(1, ...gold.map(Math.abs));
  const iw = W - m.l - m.r, ih = H - m.t - m.b;
  const bw = iw / rows.length;
  const y = (n) => m.t + ih - (n / maxN) * ih;
  const gy = (g) => m.t + ih / 2 - (g / gMax) * (ih / 2);
  const axis = svg("g", { class: "axis" });
  for (const frac of [0, 0.5, 1]) {
    const n = Math.round(maxN * frac);
    axis.append(svg("line", { class: "gridline", x1: m.l, x2: W - m.r, y1: y(n), y2: y(n) }));
    axis.append(svg("text", { x: m.l - 6, y: y(n) + 3, "text-anchor": "end", text: fmt(n) }));
  }
  for (const g of [-gMax, 0, gMax]) axis.append(svg("text", { x: W - m.r + 6, y: gy(g) + 3, text: (g > 0 ? "+" : "") + Math.round(g) }));
  box.append(axis);
  box.append(svg("line", { class: "zero", x1: m.l, x2: W - m.r, y1: gy(0), y2: gy(0) }));
  const bars = svg("g");
  const every = Math.max(1, Math.ceil(rows.length / Math.max(2, Math.floor(iw / 70))));
  rows.forEach((r, i) => {
    let base = 0;
    const x = m.l + i * bw;
    const tip = `${r.period} (${by}): ${fmt(r.events)} events; ` + QUADS.map(([k, , label]) => `${label} ${r[k]}`).join(", ") + `; Goldstein ${r.goldstein}`;
    for (const [key, cls] of QUADS) {
      const n = r[key];
      if (!n) continue;
      const width = Math.min(48, Math.max(1, bw * 0.8));
      const rect = svg("rect", { class: "bar " + cls, x: x + (bw - width) / 2, width, y: y(base + n), height: y(base) - y(base + n) });
      rect.append(svg("title", { text: tip }));
      bars.append(rect);
      base += n;
    }
    if (i % every === 0) bars.append(svg("text", { class: "tick", x: x + bw / 2, y: H - m.b + 14, "text-anchor": "middle", text: periodLabel(r.period, by) }));
  });
  box.append(bars);
  const pts = rows.map((r, i) => [m.l + i * bw + bw / 2, gy(r.goldstein || 0)]);
  box.append(svg("polyline", { class: "goldstein", points: pts.map((p) => p.join(",")).join(" ") }));
  if (rows.length <= 60) for (const [px, py] of pts) box.append(svg("circle", { class: "goldstein-dot", cx: px, cy: py, r: 2 }));
}

function periodLabel(period, by) {
  if (by === "year") return period.slice(0, 4);
  if (by === "month" || by === "quarter") return period.slice(0, 7);
  return period;
}

function timelineLegend() {
  const legend = clear($("#timeline-legend"));
  for (const [, cls, label] of QUADS) legend.append(el("span", { class: "key" }, el("span", { class: "swatch " + cls }), label));
  legend.append(el("span", { class: "key" }, el("span", { class: "swatch gold" }), "Goldstein sum"));
}

// -- map ----------------------------------------------------------------------------------------

function decodeTopo(topo, name) {
  // TopoJSON (world-atlas) → [{id, name, rings: [[[lon, lat], ...], ...]}]
  const t = topo.transform;
  const arcs = topo.arcs.map((arc) => {
    let x = 0, y = 0;
    return arc.map(([dx, dy]) => {
      x += dx; y += dy;
      return t ? [x * t.scale[0] + t.translate[0], y * t.scale[1] + t.translate[1]] : [dx, dy];
    });
  });
  const arcPoints = (i) => (i >= 0 ? arcs[i] : arcs[~i].slice().reverse());
  const ring = (indexes) => {
    const out = [];
    indexes.forEach((i, k) => { const pts = arcPoints(i); out.push(...(k ? pts.slice(1) : pts)); });
    return out;
  };
  return topo.objects[name].geometries.map((g) => {
    let rings = [];
    if (g.type === "Polygon") rings = g.arcs.map(ring);
    else if (g.type === "MultiPolygon") rings = g.arcs.flatMap((poly) => poly.map(ring));
    return { id: g.id, name: (g.properties || {}).name, rings };
  });
}

const MAP_W = 960, MAP_H = 480;
function project(lon, lat) { return [((lon + 180) / 360) * MAP_W, ((90 - lat) / 180) * MAP_H]; }

async function loadOutlines() {
  if (state.outlinesTried) return state.outlines;
  state.outlinesTried = true;
  try {
    const response = await fetch("/static/vendor/world-atlas/countries-110m.json");
    if (!response.ok) throw new Error(response.status);
    state.outlines = decodeTopo(await response.json(), "countries");
  } catch (err) {
    const note = $("#map-note");
    note.hidden = false;
    note.textContent = "Country outlines are not installed (make web-assets); places are drawn on a plain grid.";
  }
  return state.outlines;
}

function drawMap(data, outlines) {
  const box = $("#map");
  clear(box);
  if (!box.getAttribute("viewBox")) box.setAttribute("viewBox", `0 0 ${MAP_W} ${MAP_H}`);
  const layer = svg("g");
  for (let lon = -180; lon <= 180; lon += 30) { const [x] = project(lon, 0); layer.append(svg("line", { class: "graticule", x1: x, x2: x, y1: 0, y2: MAP_H })); }
  for (let lat = -60; lat <= 60; lat += 30) { const [, y] = project(0, lat); layer.append(svg("line", { class: "graticule", x1: 0, x2: MAP_W, y1: y, y2: y })); }
  const byNumeric = new Map((data.countries || []).filter((c) => c.numeric).map((c) => [c.numeric, c]));
  const top = Math.max(1, ...(data.countries || []).map((c) => c.events));
  for (const country of outlines || []) {
    const d = country.rings.map((r) => "M" + r.map(([lon, lat]) => project(lon, lat).map((v) => v.toFixed(1)).join(",")).join("L") + "Z").join("");
    const found = byNumeric.get(country.id);
    const cls = "country" + (found ? (found.events >= top / 2 ? " many-events" : " has-events") : "");
    const path = svg("path", { class: cls, d });
    path.append(svg("title", { text: (country.name || "") + (found ? `: ${fmt(found.events)} events` : "") }));
    layer.append(path);
  }
  const maxN = Math.max(1, ...data.points.map((p) => p.events));
  for (const p of [...data.points].sort((a, b) => b.events - a.events)) {
    const [x, y] = project(p.lon, p.lat);
    const counts = QUADS.map(([k]) => p[k]);
    const dominant = counts.indexOf(Math.max(...counts)) + 1;
    const dot = svg("circle", { class: "place c" + dominant, cx: x, cy: y, r: (3 + 12 * Math.sqrt(p.events / maxN)).toFixed(1), "data-place": p.geonameid || p.name });
    dot.append(svg("title", { text: `${p.name}${p.country ? ", " + p.country : ""}: ${fmt(p.events)} events (` + QUADS.map(([k, , l]) => `${l} ${p[k]}`).join(", ") + ")" }));
    dot.addEventListener("click", () => {
      const hash = hashParams();
      hash.set("place", String(p.geonameid || p.name));
      hash.delete("event");
      setHash(hash);
    });
    layer.append(dot);
  }
  box.append(layer);
  if (!data.points.length) box.append(svg("text", { x: MAP_W / 2, y: MAP_H - 20, "text-anchor": "middle", class: "empty", text: "no located events match the filters" }));
}

function enableZoom(box, width, height) {
  let view = [0, 0, width, height];
  let drag = null;
  const apply = () => box.setAttribute("viewBox", view.map((v) => v.toFixed(1)).join(" "));
  box.addEventListener("wheel", (e) => {
    e.preventDefault();
    const r = box.getBoundingClientRect();
    const fx = (e.clientX - r.left) / r.width, fy = (e.clientY - r.top) / r.height;
    const k = e.deltaY < 0 ? 0.8 : 1.25;
    const w = Math.min(width, Math.max(width / 20, view[2] * k)), h = w * (height / width);
    view = [view[0] + (view[2] - w) * fx, view[1] + (view[3] - h) * fy, w, h];
    apply();
  }, { passive: false });
  box.addEventListener("pointerdown", (e) => { drag = [e.clientX, e.clientY, view[0], view[1]]; });
  box.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const r = box.getBoundingClientRect();
    view[0] = drag[2] - ((e.clientX - drag[0]) * view[2]) / r.width;
    view[1] = drag[3] - ((e.clientY - drag[1]) * view[3]) / r.height;
    apply();
  });
  for (const ev of ["pointerup", "pointerleave"]) box.addEventListener(ev, () => { drag = null; });
  box.addEventListener("dblclick", () => { view = [0, 0, width, height]; apply(); });
}

// -- network ------------------------------------------------------------------------------------

function layout(nodes, edges, W, H) {
  // Fruchterman-Reingold from a deterministic start on a circle, then scaled to fit the box.
  const n = nodes.length;
  const k = Math.sqrt((W * H) / Math.max(1, n)) * 0.5;
  nodes.forEach((node, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, n);
    node.x = W / 2 + (W / 3) * Math.cos(a);
    node.y = H / 2 + (H / 3) * Math.sin(a);
  });
  const index = new Map(nodes.map((node, i) => [node.id, i]));
  let temp = W / 6;
  for (let iter = 0; iter < 300; iter++) {
    const disp = nodes.map(() => [0, 0]);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
      let dx = nodes[i].x - nodes[j].x, dy = nodes[i].y - nodes[j].y;
      const d = Math.max(0.01, Math.hypot(dx, dy));
      const f = (k * k) / d;
      dx /= d; dy /= d;
      disp[i][0] += dx * f; disp[i][1] += dy * f;
      disp[j][0] -= dx * f; disp[j][1] -= dy * f;
    }
    for (const e of edges) {
      const i = index.get(e.source), j = index.get(e.target);
      if (i === j) continue;
      let dx = nodes[i].x - nodes[j].x, dy = nodes[i].y - nodes[j].y;
      const d = Math.max(0.01, Math.hypot(dx, dy));
      const f = (d * d) / k;
      dx /= d; dy /= d;
      disp[i][0] -= dx * f; disp[i][1] -= dy * f;
      disp[j][0] += dx * f; disp[j][1] += dy * f;
    }
    nodes.forEach((node, i) => {
      disp[i][0] += (W / 2 - node.x) * 0.08 * (k / 20);  // gravity keeps components together
      disp[i][1] += (H / 2 - node.y) * 0.08 * (k / 20);
      const d = Math.max(0.01, Math.hypot(disp[i][0], disp[i][1]));
      node.x += (disp[i][0] / d) * Math.min(d, temp);
      node.y += (disp[i][1] / d) * Math.min(d, temp);
    });
    temp = Math.max(1, temp * 0.97);
  }
  const xs = nodes.map((node) => node.x), ys = nodes.map((node) => node.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const mx = 50, my = 18;
  for (const node of nodes) {
    node.x = x1 > x0 ? mx + ((node.x - x0) / (x1 - x0)) * (W - 2 * mx) : W / 2;
    node.y = y1 > y0 ? my + ((node.y - y0) / (y1 - y0)) * (H - 2 * my) : H / 2;
  }
}

function drawNetwork(data) {
  const box = $("#network");
  clear(box);
  const W = box.clientWidth || 600, H = box.clientHeight || 340;
  box.setAttribute("viewBox", `0 0 ${W} ${H}`);
  if (!data.edges.length) {
    box.append(svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "empty", text: "no events between known actors match the filters" }));
    return;
  }
  const nodes = data.nodes.slice(0, 40).map((node) => ({ ...node }));
  const ids = new Set(nodes.map((node) => node.id));
  const edges = data.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  layout(nodes, edges, W, H);
  const at = new Map(nodes.map((node) => [node.id, node]));
  const defs = svg("defs");
  for (const kind of ["coop", "conflict", "neutral"]) {
    defs.append(svg("marker", { id: "arrow-" + kind, viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 14, markerHeight: 14, markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" },
      svg("path", { d: "M0,0L10,5L0,10z", class: "arrow-" + kind })));
  }
  box.append(defs);
  const maxE = Math.max(1, ...edges.map((e) => e.events));
  const maxN = Math.max(1, ...nodes.map((node) => node.events));
  const radius = (node) => 4 + 10 * Math.sqrt(node.events / maxN);
  for (const e of edges) {
    if (e.source === e.target) continue;
    const a = at.get(e.source), b = at.get(e.target);
    const mean = e.goldstein / e.events;
    const kind = mean > 0.5 ? "coop" : mean < -0.5 ? "conflict" : "neutral";
    const d = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    const rb = radius(b) + 2;
    const x2 = b.x - ((b.x - a.x) / d) * rb, y2 = b.y - ((b.y - a.y) / d) * rb;
    const mx = (a.x + x2) / 2 - ((y2 - a.y) / d) * 18, my = (a.y + y2) / 2 + ((x2 - a.x) / d) * 18;
    const path = svg("path", { class: "edge " + kind, d: `M${a.x},${a.y}Q${mx},${my} ${x2},${y2}`, "stroke-width": (1 + 5 * (e.events / maxE)).toFixed(1), "marker-end": `url(#arrow-${kind})` });
    path.append(svg("title", { text: `${e.source} → ${e.target}: ${fmt(e.events)} events, Goldstein ${e.goldstein} (` + QUADS.map(([k, , l]) => `${l} ${e[k]}`).join(", ") + ")" }));
    box.append(path);
  }
  for (const node of nodes) {
    const g = svg("g", { class: "node", transform: `translate(${node.x.toFixed(1)},${node.y.toFixed(1)})`, "data-actor": node.id });
    g.append(svg("circle", { r: radius(node).toFixed(1) }));
    g.append(svg("text", { x: radius(node) + 3, y: 3, text: node.id }));
    g.append(svg("title", { text: `${node.id}${node.name ? " · " + node.name : ""}: ${fmt(node.events_out)} as source, ${fmt(node.events_in)} as target` }));
    g.addEventListener("click", () => {
      const hash = hashParams();
      hash.set("actor", node.id);
      hash.delete("event");
      setHash(hash);
    });
    box.append(g);
  }
}

// -- events table ---------------------------------------------------------------------------------

function eventRow(item, hash) {
  const e = item.event;
  const link = new URLSearchParams(hash);
  link.set("event", e.id);
  const place = e.location ? e.location.name + (e.location.country ? ", " + e.location.country : "") : "";
  return el("tr", { "data-event": e.id },
    el("td", { class: "date", text: item.event_date || "" }),
    el("td", {}, actorLabel(e.source)),
    el("td", {},
      el("span", { class: "qc q" + e.cameo.quad_class, title: "QuadClass " + e.cameo.quad_class }),
      el("a", { href: "#" + link.toString(), class: "event-link", text: e.cameo.label }), " ",
      el("span", { class: "code", text: e.cameo.code })),
    el("td", {}, actorLabel(e.target)),
    el("td", {}, el("span", { class: "badge " + e.modality, text: e.modality })),
    el("td", { text: place }),
    el("td", { class: "num", text: e.confidence.toFixed(2) }));
}

async function loadEvents(filters, hash, append) {
  const params = new URLSearchParams(filters);
  params.set("limit", String(pageLimit(50)));
  if (append && state.nextCursor) params.set("cursor", state.nextCursor);
  const page = await api("/api/events", params);
  const body = $("#events tbody");
  if (!append) clear(body);
  for (const item of page.items) body.append(eventRow(item, hash));
  state.nextCursor = page.next_cursor;
  $("#more").hidden = !page.next_cursor;
  $("#events-count").textContent = `${fmt(page.total)} reports match, newest first; showing ${fmt(body.children.length)}`;
}

// -- event view -----------------------------------------------------------------------------------

function fact(dl, term, ...value) {
  dl.append(el("dt", { text: term }), el("dd", {}, ...value));
}

async function showEvent(id) {
  const view = $("#event-view");
  const body = clear($("#event-body"));
  view.hidden = false;
  body.append(el("p", { text: "loading…" }));
  let data;
  try {
    data = await api("/api/events/" + encodeURIComponent(id));
  } catch (err) {
    clear(body).append(el("p", { class: "error", text: err.message }));
    return;
  }
  clear(body);
  const e = data.event;
  $("#event-title").textContent = `${e.cameo.label} (${e.cameo.code})`;
  const key = el("div", { class: "role-key" });
  for (const role of ["source", "trigger", "target", "attribution", "date", "location"]) {
    if (data.highlight.spans.some((s) => s.role === role && s.in_sentence)) key.append(el("mark", { "data-roles": role, text: ROLE_NAMES[role] }));
  }
  const sentence = el("p", { class: "sentence", id: "event-sentence" });
  for (const seg of data.highlight.segments) {
    if (seg.roles.length) sentence.append(el("mark", { "data-roles": seg.roles.join(" "), title: seg.roles.map((r) => ROLE_NAMES[r]).join(", "), text: seg.text }));
    else sentence.append(document.createTextNode(seg.text));
  }
  body.append(sentence, key);
  const outside = data.highlight.spans.filter((s) => !s.in_sentence);
  if (outside.length) body.append(el("p", { class: "note", text: "Outside this sentence: " + outside.map((s) => `${ROLE_NAMES[s.role]} "${s.text}" (characters ${s.start}–${s.end})`).join("; ") }));

  const x = data.explanation;
  const dl = el("dl", { class: "facts", id: "event-facts" });
  fact(dl, "event", x.summary);
  fact(dl, "source", actorLabel(e.source), e.source && e.source.refers_to ? ` (refers to "${e.source.refers_to.text}")` : "");
  fact(dl, "target", actorLabel(e.target), e.target && e.target.refers_to ? ` (refers to "${e.target.refers_to.text}")` : "");
  fact(dl, "class", x.quad_class);
  fact(dl, "PLOVER", e.plover.type ? `${e.plover.type}${e.plover.mode ? " / " + e.plover.mode : ""}${e.plover.context.length ? " (" + e.plover.context.join(", ") + ")" : ""}` : "not coded by PLOVER");
  fact(dl, "modality", el("span", { id: "event-modality", text: x.modality }));
  fact(dl, "attribution", el("span", { id: "event-attribution", text: x.attribution }));
  fact(dl, "date", x.date);
  fact(dl, "place", x.location);
  fact(dl, "confidence", `${e.confidence} (rule ${e.rule})`);
  if (data.cluster_detail) {
    const c = data.cluster_detail;
    fact(dl, "reports", `${c.mentions} report(s) in ${c.articles} article(s) from ${c.sources} outlet(s), ${c.first_date || "undated"}${c.last_date && c.last_date !== c.first_date ? " to " + c.last_date : ""}`);
  }
  if (data.quote) fact(dl, "quote", `${data.quote.kind} quote${data.quote.speaker_text ? " by " + data.quote.speaker_text : ""}`);
  body.append(dl);

  const a = data.article;
  if (a) {
    body.append(el("h3", { text: "Article" }));
    const p = el("p", {});
    p.append(a.url ? el("a", { href: a.url, rel: "noopener noreferrer", target: "_blank", text: a.title || a.url }) : (a.title || a.id));
    p.append(` · ${a.date || "undated"}${a.outlet ? " · " + a.outlet : ""} · ${fmt(a.n_events)} events · `);
    p.append(el("a", { href: "/api/articles/" + encodeURIComponent(a.id), text: "article JSON" }), " · ");
    p.append(el("a", { href: "/api/events/" + encodeURIComponent(e.id), text: "event JSON" }));
    body.append(p);
  }
  body.append(el("h3", { text: "Around it (the sentences of the article that have events)" }));
  const ctx = el("div", { class: "context" });
  let previous = null;
  for (const s of data.context) {
    if (previous !== null && s.index > previous + 1) ctx.append(el("p", { class: "gap", text: "…" }));
    ctx.append(el("p", { class: s.index === e.sentence_index ? "current" : "", text: s.text }));
    previous = s.index;
  }
  if (data.text_window) ctx.append(el("p", { text: data.text_window.text }));
  body.append(ctx);
}

// -- routing ----------------------------------------------------------------------------------------

async function refresh(hash) {
  const filters = filterParams(hash);
  const query = filters.toString() + "|" + (hash.get("by") || "month") + "|" + (hash.get("net") || "actor");
  if (query === state.lastQuery) return;
  state.lastQuery = query;
  showError(null);
  const by = hash.get("by") || "month";
  const seriesParams = new URLSearchParams(filters);
  seriesParams.set("by", by);
  const netParams = new URLSearchParams(filters);
  netParams.set("by", hash.get("net") || "actor");
  netParams.set("limit", String(pageLimit(80)));
  const placeParams = new URLSearchParams(filters);
  placeParams.set("limit", String(pageLimit(500)));
  document.body.classList.add("busy");
  const jobs = [
    api("/api/series", seriesParams).then((d) => drawTimeline(d.series, by)),
    Promise.all([api("/api/places", placeParams), loadOutlines()]).then(([d, outlines]) => drawMap(d, outlines)),
    api("/api/network", netParams).then(drawNetwork),
    loadEvents(filters, hash, false),
  ];
  const results = await Promise.allSettled(jobs);
  document.body.classList.remove("busy");
  const failed = results.find((r) => r.status === "rejected");
  if (failed) {
    showError(failed.reason.message);
    state.lastQuery = null;
  }
  document.body.dataset.loaded = String(Date.now());
}

async function route() {
  const hash = hashParams();
  hashToForm(hash);
  await refresh(hash);
  const id = hash.get("event");
  if (id) await showEvent(id);
  else $("#event-view").hidden = true;
}

async function start() {
  timelineLegend();
  enableZoom($("#map"), MAP_W, MAP_H);
  $("#map").setAttribute("viewBox", `0 0 ${MAP_W} ${MAP_H}`);
  try {
    state.meta = await api("/api/meta");
    fillMenus(state.meta);
  } catch (err) {
    showError("The store cannot be read: " + err.message);
    return;
  }
  fillActors();
  $("#filters").addEventListener("submit", (ev) => { ev.preventDefault(); setHash(formToHash()); });
  $("#reset").addEventListener("click", () => { setHash(new URLSearchParams()); });
  $("#period").addEventListener("change", () => { const h = hashParams(); h.set("by", $("#period").value); setHash(h); });
  $("#network-by").addEventListener("change", () => { const h = hashParams(); h.set("net", $("#network-by").value); setHash(h); });
  $("#more").addEventListener("click", () => {
    const hash = hashParams();
    loadEvents(filterParams(hash), hash, true).catch((err) => showError(err.message));
  });
  $("#event-close").addEventListener("click", (ev) => { ev.preventDefault(); const h = hashParams(); h.delete("event"); setHash(h); });
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape" && !$("#event-view").hidden) $("#event-close").click(); });
  window.addEventListener("hashchange", () => { route().catch((err) => showError(err.message)); });
  let resize = null;
  window.addEventListener("resize", () => { clearTimeout(resize); resize = setTimeout(() => { state.lastQuery = null; route(); }, 300); });
  await route();
}

document.addEventListener("DOMContentLoaded", () => { start().catch((err) => showError(err.message)); });
