// kg-engine analyst page: plain DOM code over the /api endpoints; CodeMirror and Cytoscape come from
// vendor.js (window.KgVendor). Data are only ever inserted as text (textContent), never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { token: sessionStorage.getItem("kg-token") || "", editor: null, lastAsk: null, cy: null, capabilities: {} };

async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${state.token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await res.json(); } catch (_) { data = null; }
  if (!res.ok) {
    const message = (data && data.error) || `HTTP ${res.status}`;
    const err = new Error(`${res.status}: ${message}`);
    err.status = res.status;
    throw err;
  }
  return data;
}

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function table(columns, rows, cell) {
  const t = el("table");
  const head = t.createTHead().insertRow();
  columns.forEach((c) => head.appendChild(el("th", c)));
  const body = t.createTBody();
  rows.forEach((row, i) => {
    const tr = body.insertRow();
    columns.forEach((c) => {
      const td = tr.insertCell();
      const value = cell ? cell(row, c, i) : row[c];
      if (value instanceof Node) td.appendChild(value);
      else td.textContent = value === null || value === undefined ? "" : (typeof value === "object" ? JSON.stringify(value) : String(value));
    });
  });
  return t;
}

// --- sign in --------------------------------------------------------------------------------------------
async function signIn(token) {
  state.token = token.trim();
  try {
    const me = await api("GET", "/whoami");
    sessionStorage.setItem("kg-token", state.token);
    $("whoami").textContent = `${me.name} (${me.role})`;
    $("signin-panel").hidden = true;
    $("app").hidden = false;
    $("signout").hidden = false;
    $("signin-error").textContent = "";
    ensureEditor();
    const caps = await api("GET", "/capabilities");
    state.capabilities = caps.capabilities;
    $("load-source").replaceChildren(...caps.load_sources.map((name) => el("option", name)));
  } catch (e) {
    state.token = "";
    sessionStorage.removeItem("kg-token");
    $("signin-error").textContent = `Sign-in failed: ${e.message}`;
  }
}

function signOut() {
  state.token = "";
  sessionStorage.removeItem("kg-token");
  location.reload();
}

// --- ask and Cypher ---------------------------------------------------------------------------------------
function ensureEditor() {
  if (state.editor || !window.KgVendor) return;
  const { EditorView, basicSetup, cypherLanguage } = window.KgVendor;
  state.editor = new EditorView({ doc: "MATCH (n) RETURN n.curie, n.name LIMIT 5", extensions: [basicSetup, cypherLanguage], parent: $("cypher-editor") });
}

function setCypher(text) {
  ensureEditor();
  const view = state.editor;
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

async function ask(question) {
  $("ask-status").textContent = "asking…";
  $("answers").replaceChildren();
  $("evidence-panel").hidden = true;
  try {
    const record = await api("POST", "/ask", { question });
    state.lastAsk = record;
    renderAnswer(record);
  } catch (e) {
    $("ask-status").textContent = e.message;
  }
}

function renderAnswer(record) {
  const box = $("answers");
  if (record.abstained) {
    $("ask-status").textContent = `abstained: ${record.reason || "no plan"}`;
    return;
  }
  setCypher(record.cypher);
  $("cypher-params").value = JSON.stringify(record.params || {}, null, 1);
  const grounded = (record.grounded || []).map((g) => `${g.name} → ${g.curie}`).join("; ");
  if (record.kind === "count") {
    $("ask-status").textContent = `count: ${record.count}   (grounded: ${grounded})`;
  } else if (record.kind === "boolean") {
    $("ask-status").textContent = `${record.boolean ? "yes" : "no"}   (grounded: ${grounded})`;
  } else {
    $("ask-status").textContent = `${record.answers.length} answer(s)   (grounded: ${grounded})`;
  }
  const anchor = (record.grounded || [])[0];
  if (!record.answers.length) return;
  box.appendChild(table(["curie", "name", "evidence"], record.answers, (row, c) => {
    if (c !== "evidence") return row[c];
    if (!anchor) return "";
    const b = el("button", "evidence", "evidence-button");
    b.type = "button";
    b.addEventListener("click", () => showEvidence(anchor, row));
    return b;
  }));
}

async function runCypher() {
  let params;
  try { params = JSON.parse($("cypher-params").value || "{}"); } catch (e) {
    $("query-status").textContent = `parameters are not JSON: ${e.message}`;
    return;
  }
  $("query-status").textContent = "running…";
  $("query-results").replaceChildren();
  try {
    const out = await api("POST", "/query", { cypher: state.editor.state.doc.toString(), params });
    $("query-status").textContent = `${out.rows.length} row(s)`;
    $("query-results").appendChild(table(out.columns, out.rows));
  } catch (e) {
    $("query-status").textContent = e.message;
  }
}

// --- evidence graph ----------------------------------------------------------------------------------------
const COLOURS = { Compound: "#2f6db5", Disease: "#b53f2f", Gene: "#2f8f4e", Anatomy: "#8a5cb5", Pathway: "#c08a1d" };

async function showEvidence(anchor, answer) {
  $("evidence-panel").hidden = false;
  $("evidence-title").textContent = `${anchor.name} ↔ ${answer.name}`;
  $("evidence-edges").replaceChildren(el("p", "loading…", "muted"));
  try {
    const graph = await api("POST", "/evidence/paths", { source: anchor.curie, target: answer.curie });
    drawGraph(graph, [anchor.curie, answer.curie]);
    const rows = graph.edges.map((e) => ({ subject: e.source, predicate: e.predicate, object: e.target,
      sources: (e.sources || []).join(", "), evidence: e.evidence || "" }));
    $("evidence-edges").replaceChildren(table(["subject", "predicate", "object", "sources", "evidence"], rows));
  } catch (e) {
    $("evidence-edges").replaceChildren(el("p", e.message, "error"));
  }
  literature(`${anchor.name} ${answer.name}`);
}

async function literature(text) {
  const box = $("evidence-sentences");
  box.replaceChildren();
  if (!state.capabilities.evidence) return;
  try {
    const out = await api("POST", "/evidence", { query: text, top: 10 });
    const rows = (out.sentences || []).map((s) => ({ pmid: s.pmid, sentence: s.snippet, relevance: s.relevance }));
    box.appendChild(el("h4", `Literature sentences (${rows.length})`));
    if (rows.length) box.appendChild(table(["pmid", "sentence", "relevance"], rows));
    (out.notes || []).forEach((n) => box.appendChild(el("p", n, "muted")));
  } catch (e) {
    box.appendChild(el("p", `literature: ${e.message}`, "muted"));
  }
}

function drawGraph(graph, ends) {
  if (!window.KgVendor) return;
  const elements = [
    ...graph.nodes.map((n) => ({ data: { id: n.id, label: n.name || n.id, colour: COLOURS[n.category] || "#666",
      end: ends.includes(n.id) ? 1 : 0 } })),
    ...graph.edges.map((e, i) => ({ data: { id: `e${i}`, source: e.source, target: e.target, label: e.predicate } })),
  ];
  if (state.cy) state.cy.destroy();
  state.cy = window.KgVendor.cytoscape({
    container: $("evidence-graph"), elements, wheelSensitivity: 0.3, maxZoom: 1.6,
    layout: { name: "cose", animate: false, padding: 20 },
    style: [
      { selector: "node", style: { label: "data(label)", "background-color": "data(colour)", "font-size": 10,
        "text-valign": "bottom", "text-margin-y": 3, width: 18, height: 18 } },
      { selector: "node[end = 1]", style: { width: 28, height: 28, "border-width": 3, "border-color": "#222" } },
      { selector: "edge", style: { label: "data(label)", "font-size": 8, "curve-style": "bezier", width: 1.5,
        "target-arrow-shape": "triangle", "line-color": "#9aa5b4", "target-arrow-color": "#9aa5b4",
        "text-rotation": "autorotate" } },
    ],
  });
}

// --- diagnosis ------------------------------------------------------------------------------------------------
const ids = (s) => s.split(/[,\s]+/).map((x) => x.trim()).filter(Boolean);
const tags = (items, cls) => { const span = el("span"); items.forEach((t) => span.appendChild(el("span", t, `tag ${cls}`))); return span; };

async function diagnose() {
  const text = $("dx-text").value.trim();
  const body = { top: Number($("dx-top").value) || 10 };
  if (text) body.text = text; else { body.hpo = ids($("dx-hpo").value); body.excluded = ids($("dx-excluded").value); }
  $("dx-status").textContent = "ranking…";
  $("dx-results").replaceChildren();
  try {
    const out = await api("POST", "/diagnose", body);
    const found = `${(out.observed || []).length} observed, ${(out.excluded || []).length} excluded finding(s)`;
    const notes = (out.notes || []).join(" ");
    $("dx-status").textContent = `${out.diagnoses.length} disease(s); ${found}; ranker ${out.ranker || "?"}. ${notes}${notes ? ". " : ""}${out.note || ""}`;
    const cols = ["#", "disease", "score", "matched", "excluded, annotated", "unexplained"];
    $("dx-results").appendChild(table(cols, out.diagnoses, (d, c, i) => {
      const ev = d.evidence || {};
      if (c === "#") return i + 1;
      const predicted = (ev.profile || {}).kind === "predicted" ? " [predicted profile]" : "";
      if (c === "disease") return `${d.name} (${(d.ids || [d.curie]).slice(0, 3).join(", ")})${predicted}`;
      if (c === "score") return Number(d.score).toFixed(2);
      if (c === "matched") return tags((ev.explained || []).map((m) => `${m.patient_term.label} → ${m.annotated_term.label}`), "match");
      if (c === "excluded, annotated") {
        const label = (m) => `${m.label} (${m.expected ? "expected, " : ""}${Math.round(100 * m.frequency)} %)`;
        return tags((ev.excluded_but_expected || []).map(label), "excl");
      }
      return tags((ev.unexplained || []).map((m) => m.label), "unexp");
    }));
  } catch (e) {
    $("dx-status").textContent = e.message;
  }
}

// --- treat / interactions / risk / literature: one generic table of the answer's main list --------------------
const CLINICAL = {
  treat: { body: (v) => ({ disease: v }), list: "treatments" },
  interactions: { body: (v) => ({ drugs: v.split(",").map((x) => x.trim()).filter(Boolean) }), list: "pairs" },
  risk: { body: (v) => ({ genes: ids(v) }), list: "diseases" },
  evidence: { body: (v) => ({ query: v }), list: "sentences" },
};

function summarise(value) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) {
    return value.map((x) => (x && typeof x === "object" ? (x.name || x.label || x.curie || x.id || JSON.stringify(x)) : String(x))).join(", ");
  }
  if (typeof value === "object") return value.name || value.label || value.curie || JSON.stringify(value);
  return String(value);
}

async function clinical() {
  const kind = $("cl-kind").value;
  const spec = CLINICAL[kind];
  $("cl-status").textContent = "working…";
  $("cl-results").replaceChildren();
  if (!state.capabilities[kind]) { $("cl-status").textContent = `${kind} is not available on this server yet`; return; }
  try {
    const out = await api("POST", `/${kind}`, spec.body($("cl-input").value.trim()));
    const rows = out[spec.list] || [];
    const cols = rows.length ? Object.keys(rows[0]).slice(0, 8) : [];
    const sources = (out.sources || []).map((x) => (typeof x === "object" ? x.source || JSON.stringify(x) : x)).join(", ");
    $("cl-status").textContent = `${rows.length} ${spec.list}; sources: ${sources || "none"}. ${(out.notes || []).join(" ")}`;
    if (rows.length) $("cl-results").appendChild(table(cols, rows, (row, c) => summarise(row[c])));
    if (out.disclaimer || out.note) $("cl-results").appendChild(el("p", out.disclaimer || out.note, "muted"));
  } catch (e) {
    $("cl-status").textContent = e.message;
  }
}

// --- admin ----------------------------------------------------------------------------------------------------
async function startLoad() {
  $("admin-message").className = "";
  try {
    const job = await api("POST", "/admin/load", { source: $("load-source").value });
    $("admin-message").textContent = `started job ${job.id} (${job.kind})`;
    await listJobs();
  } catch (e) {
    $("admin-message").className = "error";
    $("admin-message").textContent = e.message;
  }
}

async function listJobs() {
  try {
    const jobs = await api("GET", "/admin/jobs");
    $("jobs").replaceChildren(table(["id", "kind", "owner", "state", "error"], jobs));
  } catch (e) {
    $("admin-message").className = "error";
    $("admin-message").textContent = e.message;
  }
}

// --- wiring ---------------------------------------------------------------------------------------------------
function showTab(name) {
  document.querySelectorAll(".tab").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
  document.querySelectorAll(".tab-panel").forEach((p) => { p.hidden = p.id !== `tab-${name}`; });
  if (name === "ask" && state.cy) state.cy.resize();
}

document.addEventListener("DOMContentLoaded", () => {
  $("signin-form").addEventListener("submit", (ev) => { ev.preventDefault(); signIn($("token").value); });
  $("signout").addEventListener("click", signOut);
  $("ask-form").addEventListener("submit", (ev) => { ev.preventDefault(); ask($("ask-input").value); });
  $("run-cypher").addEventListener("click", runCypher);
  $("dx-form").addEventListener("submit", (ev) => { ev.preventDefault(); diagnose(); });
  $("cl-form").addEventListener("submit", (ev) => { ev.preventDefault(); clinical(); });
  $("load-button").addEventListener("click", startLoad);
  $("jobs-button").addEventListener("click", listJobs);
  document.querySelectorAll(".tab").forEach((b) => b.addEventListener("click", () => showTab(b.dataset.tab)));
  if (state.token) signIn(state.token);
});
