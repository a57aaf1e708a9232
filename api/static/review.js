// The review page: transcript follows the audio; evidence and moments seek it; overrides; retry.
"use strict";

function seekTo(seconds) {
  const player = document.getElementById("player");
  const t = Number(seconds);
  if (player) {
    player.currentTime = t;
    highlightAt(t, true);
  } else {
    highlightAt(t + 0.01, true);  // no recording: show where in the transcript it happened
  }
}

let lastPlaying = null;
function highlightAt(t, scroll) {
  const segs = document.querySelectorAll("#transcript .seg");
  let hit = null;
  for (const seg of segs) {
    if (t >= Number(seg.dataset.start) && t < Number(seg.dataset.end)) { hit = seg; break; }
  }
  if (!hit && scroll) {
    // Between segments (silence): show the next one to be spoken.
    hit = Array.from(segs).find((s) => Number(s.dataset.start) >= t) || null;
  }
  if (hit === lastPlaying) return;
  if (lastPlaying) lastPlaying.classList.remove("playing");
  if (hit) {
    hit.classList.add("playing");
    if (scroll || following()) keepInView(hit);
  }
  lastPlaying = hit;
}

// The transcript follows playback inside its own panel, never scrolling the page (the
// analyst may be reading the verdicts), and not while they scroll the transcript themselves.
let userScrolledAt = 0;
function following() { return Date.now() - userScrolledAt > 4000; }
function keepInView(seg) {
  const box = seg.closest(".player-panel");
  if (!box) return;
  const bar = document.getElementById("player-bar");
  const top = seg.offsetTop - box.offsetTop;
  const pinned = bar ? bar.offsetHeight : 0;
  if (top < box.scrollTop + pinned || top + seg.offsetHeight > box.scrollTop + box.clientHeight) {
    box.scrollTop = Math.max(0, top - pinned - box.clientHeight / 4);
  }
}

function initPlayer() {
  const player = document.getElementById("player");
  if (player) player.addEventListener("timeupdate", () => {
    highlightAt(player.currentTime, false);
    if (skipSilence() && !player.paused) jumpOverSilence(player);
  });
  const panel = document.querySelector(".player-panel");
  if (panel) panel.addEventListener("wheel", () => { userScrolledAt = Date.now(); }, { passive: true });
  for (const button of document.querySelectorAll(".speed-button")) {
    button.addEventListener("click", () => setSpeed(Number(button.dataset.speed)));
  }
  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-seek]");
    if (target) seekTo(target.dataset.seek);
  });
}

async function detail(res) {
  try { return (await res.json()).detail; } catch { return `${res.status} ${res.statusText}`; }
}

function initOverrides() {
  for (const form of document.querySelectorAll(".override-form")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const status = form.querySelector(".form-status");
      const button = form.querySelector("button[type=submit]");
      const verdict = form.elements.verdict.value;
      const reason = form.elements.reason.value.trim();
      if (!reason) { status.textContent = "A reason is required."; return; }
      button.disabled = true;
      status.textContent = "Saving…";
      const res = await fetch(`/api/v1/calls/${form.dataset.callId}/criteria/${form.dataset.criterion}`, {
        method: "PUT",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ verdict, reason }),
      });
      button.disabled = false;
      if (!res.ok) { status.textContent = `Not saved: ${await detail(res)}`; return; }
      const out = await res.json();
      const item = document.getElementById(`criterion-${out.criterion_id}`);
      const badge = item.querySelector("[data-role=verdict]");
      badge.textContent = out.verdict.toUpperCase();
      badge.className = `badge verdict ${out.verdict}`;
      for (const v of ["pass", "fail", "na"]) item.classList.toggle(`verdict-${v}`, v === out.verdict);
      item.querySelector("[data-role=points]").textContent = `${out.points}/${out.max_points} pts`;
      item.querySelector("[data-role=confidence]").textContent = "confidence 100%";
      const note = item.querySelector("[data-role=override-note]");
      note.hidden = false;
      note.querySelector("[data-role=reason]").textContent = out.reason;
      document.getElementById("score-value").textContent = out.score.toFixed(1);
      document.getElementById("auto-failed").hidden = !out.auto_failed;
      document.querySelector(".scorebox").classList.toggle("failed", out.auto_failed);
      document.getElementById("score-source").textContent = "reviewed by a human";
      const provisional = document.getElementById("provisional-badge");
      if (provisional) provisional.hidden = !out.provisional;
      status.textContent = `Saved. Score ${out.previous_score.toFixed(1)} → ${out.score.toFixed(1)}.`;
      form.elements.reason.value = "";
      // back to the criterion, so the next key grades on (n, c, 1/2/3); the form stays open
      // with its "Saved. Score …" line
      item.focus({ preventScroll: true });
      await refreshConsequences([`actions-${out.criterion_id}`]);
    });
  }
}

// A verdict changes what follows from it (moments, feedback, provisional state, rationales):
// take those parts from the page as the server now renders it.
async function refreshConsequences(extra = []) {
  const res = await fetch(window.location.pathname, { headers: { Accept: "text/html" } });
  if (!res.ok) return;
  const fresh = new DOMParser().parseFromString(await res.text(), "text/html");
  const ids = ["publication-block", "moments-block", "feedback-block", ...extra];
  for (const el of fresh.querySelectorAll("[data-role=rationale]")) ids.push(el.id);
  for (const id of ids) {
    const now = document.getElementById(id);
    const next = fresh.getElementById(id);
    if (now && next) {
      const node = document.importNode(next, true);
      now.replaceWith(node);
      if (typeof bindApiForms === "function") bindApiForms(node);  // reviews.js
    }
  }
  applyGeometry(); // app.js: the new moments' positions (no inline styles under the CSP)
}

function initRetry() {
  const button = document.getElementById("retry-button");
  if (!button) return;
  button.addEventListener("click", async () => {
    const status = document.getElementById("retry-status");
    button.disabled = true;
    const res = await fetch(`/api/v1/calls/${button.dataset.callId}/retry`, { method: "POST" });
    if (!res.ok) { status.textContent = `Retry refused: ${await detail(res)}`; button.disabled = false; return; }
    status.textContent = "Queued again — this page reloads when it is done.";
    waitThenReload(button.dataset.callId);
  });
}

function waitThenReload(callId) {
  const tick = async () => {
    const res = await fetch(`/api/v1/calls/${callId}`);
    if (res.ok) {
      const call = await res.json();
      if (["scored", "failed", "not_scorable"].includes(call.status)) { window.location.reload(); return; }
    }
    setTimeout(tick, 1500);
  };
  setTimeout(tick, 1500);
}

// ---------------------------------------------------------------- speed, silence, search
const SPEEDS = [1, 1.5, 2];
function setSpeed(rate) {
  const player = document.getElementById("player");
  if (!player) return;
  player.playbackRate = rate;
  for (const b of document.querySelectorAll(".speed-button")) {
    b.setAttribute("aria-pressed", String(Number(b.dataset.speed) === rate));
  }
}
function stepSpeed(direction) {
  const player = document.getElementById("player");
  if (!player) return;
  const at = SPEEDS.indexOf(player.playbackRate);
  setSpeed(SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, (at < 0 ? 0 : at) + direction))]);
}

function skipSilence() {
  const box = document.getElementById("skip-silence");
  return Boolean(box && box.checked);
}
// Between two turns more than a second apart, go straight to the next one.
function jumpOverSilence(player) {
  const t = player.currentTime;
  const segs = Array.from(document.querySelectorAll("#transcript .seg"));
  if (segs.some((s) => t >= Number(s.dataset.start) && t < Number(s.dataset.end))) return;
  const next = segs.find((s) => Number(s.dataset.start) > t);
  if (next && Number(next.dataset.start) - t > 1) player.currentTime = Number(next.dataset.start);
}

let matches = [];
let matchAt = -1;
function search(query) {
  const q = query.trim().toLowerCase();
  matches = [];
  matchAt = -1;
  for (const seg of document.querySelectorAll("#transcript .seg")) {
    const hit = q !== "" && seg.querySelector(".text").textContent.toLowerCase().includes(q);
    seg.classList.toggle("match", hit);
    seg.classList.remove("match-current");
    if (hit) matches.push(seg);
  }
  const count = document.getElementById("search-count");
  if (count) count.textContent = q ? `${matches.length} match${matches.length === 1 ? "" : "es"}` : "";
  nextMatch();
}
function nextMatch() {
  if (!matches.length) return;
  if (matchAt >= 0) matches[matchAt].classList.remove("match-current");
  matchAt = (matchAt + 1) % matches.length;
  const seg = matches[matchAt];
  seg.classList.add("match-current");
  userScrolledAt = 0;
  keepInView(seg);
  const count = document.getElementById("search-count");
  if (count) count.textContent = `${matchAt + 1} of ${matches.length}`;
}
function initSearch() {
  const box = document.getElementById("transcript-search");
  if (!box) return;
  box.addEventListener("input", () => search(box.value));
  box.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); nextMatch(); }
    if (e.key === "Escape") box.blur();
  });
}

// ---------------------------------------------------------------- grading by keyboard
function criteria() { return Array.from(document.querySelectorAll("li.criterion")); }
function currentCriterion() { return document.querySelector("li.criterion.current"); }
function moveCriterion(step) {
  const all = criteria();
  if (!all.length) return;
  const at = all.indexOf(currentCriterion());
  const next = all[at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step))];
  for (const li of all) li.classList.toggle("current", li === next);
  next.focus({ preventScroll: true });
  next.scrollIntoView({ block: "nearest" });
  const evidence = next.querySelector("[data-seek]");
  const player = document.getElementById("player");
  if (evidence && player && player.paused) seekTo(evidence.dataset.seek);
}
function confirmCurrent() {
  const li = currentCriterion();
  const button = li && li.querySelector(".confirm-form button[type=submit]");
  if (button) button.click();
}
function overrideCurrent(verdict) {
  const li = currentCriterion();
  if (!li) return;
  const details = li.querySelector("details.override");
  const form = li.querySelector(".override-form");
  if (!details || !form) return;
  const choice = form.querySelector(`input[name=verdict][value="${verdict}"]`);
  if (!choice) { form.querySelector(".form-status").textContent = `${verdict.toUpperCase()} is not allowed here.`; return; }
  details.open = true;
  choice.checked = true;
  form.elements.reason.focus();
}
// m: the current criterion's comment box (the overall one when no criterion is chosen).
function commentOnCurrent() {
  const li = currentCriterion();
  const add = (li || document).querySelector(li ? ".comment-add" : ".overall-comments .comment-add");
  if (!add) return;
  add.open = true;
  add.querySelector("textarea").focus();
}

// The compact scorecard: one line per criterion; the current one (n/p) or one clicked open
// shows in full. The choice is remembered in this browser.
const COMPACT_KEY = "callreview.scorecard";
function setCompact(on) {
  const panel = document.querySelector(".verdicts");
  const toggle = document.getElementById("compact-toggle");
  if (!panel || !toggle) return;
  panel.classList.toggle("compact", on);
  toggle.setAttribute("aria-pressed", String(on));
  toggle.textContent = on ? "Full scorecard" : "Compact scorecard";
  try { localStorage.setItem(COMPACT_KEY, on ? "compact" : "full"); } catch { /* private mode */ }
}
function toggleCompact() {
  const panel = document.querySelector(".verdicts");
  if (panel) setCompact(!panel.classList.contains("compact"));
}
function initCompact() {
  const toggle = document.getElementById("compact-toggle");
  if (!toggle) return;
  toggle.addEventListener("click", toggleCompact);
  let saved = null;
  try { saved = localStorage.getItem(COMPACT_KEY); } catch { /* private mode */ }
  if (saved === "compact") setCompact(true);
  // In compact mode a criterion's line opens and closes it.
  document.addEventListener("click", (e) => {
    const head = e.target.closest(".verdicts.compact .crit-head");
    if (head && !e.target.closest("button, a, input")) head.closest("li.criterion").classList.toggle("expanded");
  });
}

function togglePlay() {
  const player = document.getElementById("player");
  if (!player) return;
  if (player.paused) player.play(); else player.pause();
}
function nudge(seconds) {
  const player = document.getElementById("player");
  if (player) player.currentTime = Math.max(0, player.currentTime + seconds);
}

function initKeyboard() {
  document.addEventListener("keydown", (e) => {
    const target = e.target;
    const typing = target.closest && target.closest("input, textarea, select, [contenteditable]");
    if (typing) {
      // In an override's reason or a comment: Ctrl+Enter saves, Escape goes back to the
      // criterion (closing the override form).
      const form = target.closest(".override-form, .comment-form");
      if (form && e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
      if (form && e.key === "Escape") {
        if (form.matches(".override-form")) form.closest("details").open = false;
        const li = form.closest("li.criterion");
        if (li) li.focus({ preventScroll: true }); else target.blur();
      }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (target.closest && target.closest("dialog")) return;
    const actions = {
      " ": togglePlay, k: togglePlay,
      j: () => nudge(-5), ArrowLeft: () => nudge(-5), l: () => nudge(5), ArrowRight: () => nudge(5),
      "<": () => stepSpeed(-1), ">": () => stepSpeed(1),
      n: () => moveCriterion(1), p: () => moveCriterion(-1),
      c: confirmCurrent,
      m: commentOnCurrent,
      v: toggleCompact,
      g: () => { const next = document.getElementById("next-call-link"); if (next) next.click(); },
      1: () => overrideCurrent("pass"), 2: () => overrideCurrent("fail"), 3: () => overrideCurrent("na"),
      "/": () => { const box = document.getElementById("transcript-search"); if (box) box.focus(); },
      "?": () => { const d = document.getElementById("shortcuts"); if (d && !d.open) d.showModal(); },
    };
    const action = actions[e.key];
    if (!action) return;
    e.preventDefault();
    action();
  });
  const show = document.getElementById("show-shortcuts");
  if (show) show.addEventListener("click", () => document.getElementById("shortcuts").showModal());
}

// "Add to coaching": the evidence or moment becomes a clip of the chosen draft session.
function initAddToCoaching() {
  const target = document.getElementById("coaching-target");
  if (!target) return;
  document.addEventListener("click", async (e) => {
    const button = e.target.closest(".add-to-coaching");
    if (!button) return;
    const status = document.getElementById("coaching-status");
    const start = Number(button.dataset.start);
    const end = Math.max(Number(button.dataset.end), start + 1);
    button.disabled = true;
    const res = await fetch(`/api/v1/coaching/sessions/${target.value}/attachments/clip`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ call_id: target.dataset.callId, start, end, note: button.dataset.note || "" }),
    });
    if (!res.ok) { button.disabled = false; status.textContent = `Not added: ${await detail(res)}`; return; }
    button.textContent = "Added to coaching";
    status.textContent = `Clip ${clock(start)}–${clock(end)} added to the coaching session.`;  // clock: app.js
  });
}
// The waveform from the server's peaks (GET /calls/{id}/peaks): a lane per channel (agent
// above the customer on a two-channel call), the moments as bands, a playhead; a click seeks.
const LANE_COLORS = ["#1f5fbf", "#6b3fa0", "#4b5563"];
async function initWaveform() {
  const audio = document.getElementById("player");
  const grid = document.querySelector(".review-grid[data-call-id]");
  if (!audio || !grid) return;
  const res = await fetch(`/api/v1/calls/${grid.dataset.callId}/peaks?buckets=600`);
  if (!res.ok) return;
  const data = await res.json();
  const lanes = data.channels.length;
  if (!lanes || !data.duration_s) return;
  const canvas = document.createElement("canvas");
  canvas.id = "waveform";
  canvas.className = `lanes-${lanes}`;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", lanes === 2
    ? "Waveform, agent lane above the customer lane; moments marked; click to play from there"
    : "Waveform; moments marked; click to play from there");
  audio.after(canvas);
  const moments = () => Array.from(document.querySelectorAll(".timeline .moment[data-end]"))
    .map((m) => [Number(m.dataset.seek), Number(m.dataset.end)]);
  const draw = () => {
    const ratio = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(canvas.clientWidth * ratio));
    const h = Math.max(1, Math.round(canvas.clientHeight * ratio));
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = "rgba(179, 38, 30, 0.18)";
    for (const [a, b] of moments()) {
      const x = (a / data.duration_s) * w;
      ctx.fillRect(x, 0, Math.max(2 * ratio, ((b - a) / data.duration_s) * w), h);
    }
    const laneH = h / lanes;
    data.channels.forEach((row, lane) => {
      ctx.fillStyle = LANE_COLORS[lane % LANE_COLORS.length];
      const mid = laneH * lane + laneH / 2;
      const bw = w / row.length;
      row.forEach((peak, i) => {
        const half = Math.max(0.5, peak * (laneH / 2 - 1));
        ctx.fillRect(i * bw, mid - half, Math.max(1, bw - 0.5), half * 2);
      });
    });
    ctx.fillStyle = "#1d232b";
    ctx.fillRect((audio.currentTime / data.duration_s) * w - ratio, 0, 2 * ratio, h);
  };
  canvas.addEventListener("click", (e) => {
    const box = canvas.getBoundingClientRect();
    seekTo(((e.clientX - box.left) / box.width) * data.duration_s);
  });
  audio.addEventListener("timeupdate", draw);
  audio.addEventListener("seeked", draw);
  window.addEventListener("resize", draw);
  draw();
}

function initDelete() {
  const form = document.getElementById("delete-call-form");
  if (!form) return;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const reason = form.elements.reason.value.trim();
    const status = form.querySelector("[role=status]");
    if (!reason || !window.confirm("Delete this call and everything derived from it?")) return;
    const url = `/api/v1/calls/${form.dataset.callId}?reason=${encodeURIComponent(reason)}`;
    const res = await fetch(url, { method: "DELETE" });
    if (!res.ok) { status.textContent = `Not deleted: ${await detail(res)}`; return; }
    window.location.href = "/calls";
  });
}

document.addEventListener("DOMContentLoaded", () => {
  initWaveform().catch(() => {});  // the page works without it
  initAddToCoaching();
  initDelete();
  initPlayer();
  initSearch();
  initKeyboard();
  initCompact();
  initOverrides();
  initRetry();
  const pending = document.getElementById("pending-state");
  if (pending) waitThenReload(pending.dataset.callId);
});
