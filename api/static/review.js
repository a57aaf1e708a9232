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
    if (scroll) hit.scrollIntoView({ block: "nearest" });
  }
  lastPlaying = hit;
}

function initPlayer() {
  const player = document.getElementById("player");
  if (player) player.addEventListener("timeupdate", () => highlightAt(player.currentTime, false));
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
      item.className = `criterion verdict-${out.verdict}`;
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
      await refreshConsequences();
    });
  }
}

// A verdict changes what follows from it (moments, feedback, provisional state, rationales):
// take those parts from the page as the server now renders it.
async function refreshConsequences() {
  const res = await fetch(window.location.pathname, { headers: { Accept: "text/html" } });
  if (!res.ok) return;
  const fresh = new DOMParser().parseFromString(await res.text(), "text/html");
  const ids = ["publication-block", "moments-block", "feedback-block"];
  for (const el of fresh.querySelectorAll("[data-role=rationale]")) ids.push(el.id);
  for (const id of ids) {
    const now = document.getElementById(id);
    const next = fresh.getElementById(id);
    if (now && next) now.replaceWith(document.importNode(next, true));
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

document.addEventListener("DOMContentLoaded", () => {
  initPlayer();
  initOverrides();
  initRetry();
  const pending = document.getElementById("pending-state");
  if (pending) waitThenReload(pending.dataset.callId);
});
