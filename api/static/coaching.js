// Coaching pages: build a draft, edit a session (rows of goals, tasks, training, action plan),
// move it through the workflow, attach clips and files; the agent acknowledges and ticks tasks.
"use strict";

async function api(method, url, body) {
  const init = { method, headers: {} };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(url, init);
  let data = null;
  try { data = await res.json(); } catch { data = null; }
  if (!res.ok) {
    const detail = data && data.detail ? (typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail)) : `${res.status}`;
    throw new Error(detail);
  }
  return data;
}

function showError(message) {
  const box = document.getElementById("session-error");
  if (box) box.textContent = message || "";
}

function lines(id) {
  return document.getElementById(id).value.split("\n").map((s) => s.trim()).filter(Boolean);
}

function rowValues(list) {
  const out = [];
  for (const row of document.querySelectorAll(`ul[data-list="${list}"] > li.row`)) {
    const item = {};
    for (const input of row.querySelectorAll("[data-field]")) {
      const key = input.dataset.field;
      if (input.type === "checkbox") item[key] = input.checked;
      else if (input.value !== "") item[key] = input.type === "number" ? Number(input.value) : input.value;
    }
    out.push(item);
  }
  return out;
}

function collect(form) {
  const body = {
    tasks: rowValues("tasks").filter((t) => t.text),
    training: rowValues("training").filter((t) => t.module_id),
    private_notes: document.getElementById("private-notes").value,
  };
  const meeting = document.getElementById("next-meeting").value;
  body.next_meeting_at = meeting ? new Date(meeting).toISOString() : null;
  if (form.dataset.editable === "true") {
    body.feedback = document.getElementById("feedback").value;
    body.strengths = lines("strengths");
    body.recognition = lines("recognition");
    body.goals = rowValues("goals").filter((g) => g.target !== undefined);
    body.action_plan = rowValues("action_plan").filter((a) => a.text);
  }
  return body;
}

function setupEditor() {
  const form = document.getElementById("session-form");
  if (!form) return;
  const id = form.dataset.session;
  const status = document.getElementById("save-status");
  const save = async () => {
    status.textContent = "Saving…";
    await api("PATCH", `/api/v1/coaching/sessions/${id}`, collect(form));
    status.textContent = "Saved";
  };
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    showError("");
    try { await save(); } catch (err) { status.textContent = ""; showError(err.message); }
  });
  document.addEventListener("click", (e) => {
    const target = e.target;
    if (target.classList.contains("remove-row")) target.closest("li.row").remove();
    if (target.classList.contains("add-row")) {
      const list = target.dataset.list;
      const tpl = document.querySelector(`template[data-template="${list}"]`);
      document.querySelector(`ul[data-list="${list}"]`).append(tpl.content.cloneNode(true));
    }
  });
  for (const button of document.querySelectorAll("#transitions button[data-to]")) {
    button.addEventListener("click", async () => {
      showError("");
      try {
        // Save what is on screen first, so the move checks the plan the coach sees.
        if (form.dataset.editable === "true" || button.dataset.to !== "closed") await save();
        await api("POST", `/api/v1/coaching/sessions/${id}/transition`, { to: button.dataset.to });
        window.location.reload();
      } catch (err) { showError(err.message); }
    });
  }
  const followUp = document.getElementById("start-follow-up");
  if (followUp) followUp.addEventListener("click", async () => {
    try {
      const s = await api("POST", `/api/v1/coaching/sessions/${id}/follow-up`);
      window.location.href = `/coaching/sessions/${s.id}`;
    } catch (err) { showError(err.message); }
  });
  const clip = document.getElementById("add-clip");
  if (clip) clip.addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = new FormData(clip);
    try {
      await api("POST", `/api/v1/coaching/sessions/${id}/attachments/clip`, {
        call_id: f.get("call_id"), start: Number(f.get("start")), end: Number(f.get("end")),
      });
      window.location.reload();
    } catch (err) { showError(err.message); }
  });
  const upload = document.getElementById("add-file");
  if (upload) upload.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await api("POST", `/api/v1/coaching/sessions/${id}/attachments`, new FormData(upload));
      window.location.reload();
    } catch (err) { showError(err.message); }
  });
}

function setupAgentView() {
  const ack = document.getElementById("acknowledge");
  if (ack) ack.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await api("POST", `/api/v1/coaching/sessions/${ack.dataset.session}/transition`, {
        to: "acknowledged", agent_feedback: document.getElementById("agent-feedback").value,
      });
      window.location.reload();
    } catch (err) { showError(err.message); }
  });
  const tasks = document.getElementById("agent-tasks");
  if (tasks) tasks.addEventListener("change", async (e) => {
    const box = e.target;
    if (!box.classList.contains("task-done")) return;
    try {
      await api("POST", `/api/v1/coaching/sessions/${tasks.dataset.session}/tasks/${box.dataset.index}/done`, { done: box.checked });
    } catch (err) { box.checked = !box.checked; showError(err.message); }
  });
  for (const button of document.querySelectorAll(".training-done")) {
    button.addEventListener("click", async () => {
      try {
        await api("POST", `/api/v1/coaching/sessions/${button.dataset.session}/training/${button.dataset.module}/done`, { done: true });
        window.location.reload();
      } catch (err) { showError(err.message); }
    });
  }
}

function setupInbox() {
  const form = document.getElementById("new-draft");
  if (!form) return;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const status = form.querySelector(".form-status");
    status.textContent = "Building the draft…";
    const body = { agent_id: f.get("agent_id") };
    if (f.get("since")) body.since = new Date(`${f.get("since")}T00:00:00Z`).toISOString();
    try {
      const s = await api("POST", "/api/v1/coaching/drafts", body);
      window.location.href = `/coaching/sessions/${s.id}`;
    } catch (err) { status.textContent = err.message; }
  });
}

// "Play clip" plays the evidence clip next to it (the audio element keeps its own controls).
document.addEventListener("click", (e) => {
  if (!e.target.classList.contains("play-clip")) return;
  const audio = e.target.parentElement.querySelector("audio");
  if (audio) audio.play().catch((err) => showError(`cannot play the clip: ${err.message}`));
});

document.addEventListener("DOMContentLoaded", () => {
  setupEditor();
  setupAgentView();
  setupInbox();
});
