// callreview pages: multi-file upload with per-file progress, live status of calls in the list.
"use strict";

const FINAL = new Set(["scored", "failed", "not_scorable"]);

// The session's CSRF token (a meta tag of every page) goes with every unsafe request this
// page's scripts make to its own origin; the server refuses cookie-authenticated ones without it.
const CSRF_TOKEN = document.querySelector('meta[name="csrf-token"]')?.content || "";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const plainFetch = window.fetch.bind(window);
window.fetch = (resource, init = {}) => {
  const method = (init.method || (resource instanceof Request ? resource.method : "GET")).toUpperCase();
  const url = new URL(resource instanceof Request ? resource.url : resource, window.location.href);
  if (!SAFE_METHODS.has(method) && url.origin === window.location.origin && CSRF_TOKEN) {
    const headers = new Headers(init.headers || (resource instanceof Request ? resource.headers : {}));
    headers.set("X-CSRF-Token", CSRF_TOKEN);
    init = { ...init, headers };
  }
  return plainFetch(resource, init);
};

// Positions and widths computed by the server travel as data attributes and are set here
// through the CSSOM: the Content-Security-Policy allows no inline style attributes.
function applyGeometry(root = document) {
  for (const node of root.querySelectorAll("[data-left], [data-width], [data-z]")) {
    if (node.dataset.left) node.style.left = `${node.dataset.left}%`;
    if (node.dataset.width) node.style.width = `${node.dataset.width}%`;
    if (node.dataset.z) node.style.zIndex = node.dataset.z;
  }
}
applyGeometry();
const POLL_MS = 1500;

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

async function errorText(response) {
  try {
    const body = await response.json();
    return typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}

// Upload one file with XMLHttpRequest: fetch() cannot report upload progress.
function uploadOne(file, agentId, row) {
  const bar = row.querySelector("progress");
  const status = row.querySelector(".upload-status");
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/calls");
    if (CSRF_TOKEN) xhr.setRequestHeader("X-CSRF-Token", CSRF_TOKEN);
    xhr.responseType = "json";
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) bar.value = e.loaded / e.total;
    });
    xhr.addEventListener("load", () => {
      const body = xhr.response || {};
      if (xhr.status === 202 || xhr.status === 200) {
        bar.value = 1;
        row.dataset.callId = body.call_id;
        const link = el("a", { href: `/calls/${body.call_id}` }, body.duplicate ? "already uploaded" : body.status);
        status.replaceChildren(link);
        status.dataset.state = body.status;
        watchCall(body.call_id, status);
        if (!body.duplicate) addToList(body.call_id, file.name, agentId);
      } else {
        status.textContent = `failed: ${body.detail || xhr.status}`;
        status.classList.add("error-inline");
      }
      resolve();
    });
    xhr.addEventListener("error", () => {
      status.textContent = "failed: network error";
      status.classList.add("error-inline");
      resolve();
    });
    const form = new FormData();
    form.append("file", file);
    form.append("agent_id", agentId);
    xhr.send(form);
  });
}

// Poll a call until it is scored, not scorable or failed; update `target` (a status cell) as it moves.
function watchCall(callId, target, onFinal) {
  const tick = async () => {
    const res = await fetch(`/api/v1/calls/${callId}`, { headers: { Accept: "application/json" } });
    if (!res.ok) {
      target.textContent = await errorText(res);
      return;
    }
    const call = await res.json();
    const link = el("a", { href: `/calls/${callId}` }, call.status);
    link.className = `badge status-${call.status}`;
    const parts = [link];
    if (call.status === "scored" && call.evaluation) {
      parts.push(document.createTextNode(` score ${call.evaluation.score.toFixed(1)}`));
    }
    if (call.status === "failed" && call.error) {
      parts.push(el("span", { class: "error-inline" }, call.error.message));
    }
    if (call.status === "not_scorable" && call.scorability) {
      parts.push(el("span", { class: "muted small not-scorable-reason" }, call.scorability.detail));
    }
    if (call.status === "scored" && call.evaluation && call.evaluation.provisional) {
      parts.push(el("span", { class: "badge provisional" }, "provisional"));
    }
    // A long call: how long this step has run, and how much audio it is working through.
    if (!FINAL.has(call.status)) {
      if (target.dataset.state !== call.status) target.dataset.since = String(Date.now());
      const running = (Date.now() - Number(target.dataset.since || Date.now())) / 1000;
      const audio = call.audio && call.audio.duration_s ? ` of ${clock(call.audio.duration_s)} audio` : "";
      parts.push(el("span", { class: "muted small step-time" }, ` ${clock(running)}${audio}`));
    }
    target.replaceChildren(...parts);
    target.dataset.state = call.status;
    if (FINAL.has(call.status)) {
      if (onFinal) onFinal(call);
    } else {
      setTimeout(tick, POLL_MS);
    }
  };
  setTimeout(tick, POLL_MS / 3);
}

// A new upload joins the calls list at once (newest first), watched like the others.
function addToList(callId, filename, agentId) {
  const table = document.getElementById("calls-table");
  if (!table || table.querySelector(`tr[data-call-id="${callId}"]`)) return;
  const option = document.querySelector(`#upload-form option[value="${agentId}"]`);
  const row = el("tr", { "data-call-id": callId, "data-status": "queued" });
  const name = el("td");
  name.append(el("a", { href: `/calls/${callId}` }, filename));
  const agent = el("td");
  agent.append(el("a", { href: `/agents/${agentId}/progress` }, option ? option.textContent.replace(/ \(.*\)$/, "") : ""));
  const status = el("td", { class: "status" });
  status.append(el("span", { class: "badge status-queued" }, "queued"));
  row.append(name, agent, el("td", {}, "just now"), el("td"), status, el("td", { class: "num score" }));
  table.querySelector("tbody").prepend(row);
  table.hidden = false;
  const empty = document.getElementById("calls-empty");
  if (empty) empty.hidden = true;
  const total = document.getElementById("calls-total");
  if (total) {
    const n = (parseInt(total.textContent, 10) || 0) + 1;
    total.textContent = `${n} call${n === 1 ? "" : "s"}`;
  }
  watchCall(callId, status, (call) => {
    row.dataset.status = call.status;
    if (call.evaluation) row.querySelector("td.score").textContent = call.evaluation.score.toFixed(1);
    if (call.audio && call.audio.duration_s) row.children[3].textContent = clock(call.audio.duration_s);
  });
}

function clock(seconds) {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function initUpload() {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const list = document.getElementById("upload-list");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const files = Array.from(form.elements.file.files);
    const agentId = form.elements.agent_id.value;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    const rows = files.map((file) => {
      const row = el("li", { class: "upload" });
      row.append(el("span", { class: "upload-name" }, file.name));
      const bar = el("progress", { max: "1", value: "0", "aria-label": `upload of ${file.name}` });
      row.append(bar, el("span", { class: "upload-status" }, "uploading…"));
      list.append(row);
      return row;
    });
    // Two at a time: fast on a LAN without flooding a small server.
    const queue = files.map((file, i) => [file, rows[i]]);
    const worker = async () => {
      while (queue.length) {
        const [file, row] = queue.shift();
        await uploadOne(file, agentId, row);
      }
    };
    await Promise.all([worker(), worker()]);
    button.disabled = false;
    form.elements.file.value = "";  // the agent stays chosen for the next files
  });
}

function initListPolling() {
  for (const row of document.querySelectorAll("#calls-table tr[data-call-id]")) {
    if (FINAL.has(row.dataset.status)) continue;
    const cell = row.querySelector("td.status");
    watchCall(row.dataset.callId, cell, (call) => {
      row.dataset.status = call.status;
      if (call.evaluation) {
        row.querySelector("td.score").textContent = call.evaluation.score.toFixed(1);
      }
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  initUpload();
  initListPolling();
});

// The inbox link shows how many notifications are unread.
document.addEventListener("DOMContentLoaded", async () => {
  const badge = document.getElementById("inbox-unread");
  if (!badge) return;
  try {
    const res = await fetch("/api/v1/notifications", { headers: { Accept: "application/json" } });
    if (!res.ok) return;
    const { unread } = await res.json();
    badge.textContent = String(unread);
    badge.hidden = unread === 0;
  } catch { /* the page works without it */ }
});
