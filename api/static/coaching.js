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
    const err = new Error(detail);
    err.field = data && data.field ? data.field : null;  // e.g. "goals.4.target"
    throw err;
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

// The rows each list sent in the last save, in the order sent: a server error about
// "goals.4" points at the fifth goal sent, which is not always the fifth row on screen.
const sentRows = {};

function rowValues(list, keep) {
  const out = [];
  sentRows[list] = [];
  for (const row of document.querySelectorAll(`ul[data-list="${list}"] > li.row`)) {
    const item = {};
    for (const input of row.querySelectorAll("[data-field]")) {
      const key = input.dataset.field;
      if (input.type === "checkbox") item[key] = input.checked;
      else if (input.value !== "") item[key] = input.type === "number" ? Number(input.value) : input.value;
    }
    // A pass-rate goal is typed in percent (70) and stored as a rate (0.7).
    if (list === "goals" && item.target !== undefined && (item.metric || "criterion_pass_rate") === "criterion_pass_rate") {
      item.target = Math.round(item.target * 10) / 1000;
    }
    if (item.criterion === "") delete item.criterion;
    if (keep && !keep(item)) continue;
    out.push(item);
    sentRows[list].push(row);
  }
  return out;
}

function clearFieldErrors() {
  for (const el of document.querySelectorAll(".field-error")) el.remove();
  for (const el of document.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const saveError = document.getElementById("save-error");
  if (saveError) saveError.textContent = "";
}

// Show a refused save beside the field it is about, and beside the Save button, in view.
function showFieldError(err) {
  showError(err.message);
  const saveError = document.getElementById("save-error");
  if (saveError) saveError.textContent = err.message;
  const parts = (err.field || "").split(".");
  let place = null;
  let input = null;
  if (parts.length >= 2 && sentRows[parts[0]] && /^\d+$/.test(parts[1])) {
    place = sentRows[parts[0]][Number(parts[1])] || null;
    if (place && parts[2]) input = place.querySelector(`[data-field="${parts[2]}"]`);
  } else if (parts[0]) {
    input = document.getElementById(parts[0].replace("_", "-"));
    place = input ? input.closest("label") || input : null;
  }
  if (!place) {
    if (saveError) saveError.scrollIntoView({ block: "center" });
    return;
  }
  const note = document.createElement("p");
  note.className = "field-error error-inline";
  note.setAttribute("role", "alert");
  note.textContent = err.message;
  place.after(note);
  const target = input || place.querySelector("input, select, textarea");
  if (target) {
    target.setAttribute("aria-invalid", "true");
    target.focus({ preventScroll: true });
  }
  place.scrollIntoView({ block: "center" });
}

function collect(form) {
  const body = {
    tasks: rowValues("tasks", (t) => t.text),
    training: rowValues("training", (t) => t.module_id),
    private_notes: document.getElementById("private-notes").value,
  };
  const meeting = document.getElementById("next-meeting").value;
  body.next_meeting_at = meeting ? new Date(meeting).toISOString() : null;
  const amending = form.dataset.amending === "true";
  if (form.dataset.editable === "true" || amending) {
    body.feedback = document.getElementById("feedback").value;
    body.strengths = lines("strengths");
    body.recognition = lines("recognition");
    body.goals = rowValues("goals", (g) => g.target !== undefined);
  }
  if (form.dataset.editable === "true") body.action_plan = rowValues("action_plan", (a) => a.text);
  if (amending) body.amend_reason = document.getElementById("amend-reason").value;
  return body;
}

function setupEditor() {
  const form = document.getElementById("session-form");
  if (!form) return;
  const id = form.dataset.session;
  const status = document.getElementById("save-status");
  // Unsaved edits are never lost quietly: leaving the page asks first, and anything that
  // reloads it (an attachment, a move) saves the form before it goes.
  let dirty = false;
  const markDirty = () => { dirty = true; status.textContent = "Unsaved changes"; };
  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);
  window.addEventListener("beforeunload", (e) => {
    if (!dirty) return;
    e.preventDefault();
    e.returnValue = "";
  });
  const save = async () => {
    clearFieldErrors();
    status.textContent = "Saving…";
    try {
      await api("PATCH", `/api/v1/coaching/sessions/${id}`, collect(form));
    } catch (err) {
      status.textContent = "Not saved";
      throw err;
    }
    dirty = false;
    status.textContent = form.dataset.amending === "true" ? "Amended" : "Saved";
  };
  const saveFirst = async () => { if (dirty) await save(); };
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    showError("");
    try { await save(); } catch (err) { showFieldError(err); }
  });
  for (const row of document.querySelectorAll("[data-frozen-row]")) {
    for (const input of row.querySelectorAll("input, select")) input.disabled = true;
  }
  const amend = document.getElementById("start-amend");
  if (amend) amend.addEventListener("click", () => {
    const reason = document.getElementById("amend-reason");
    if (!reason.value.trim()) {
      showFieldError({ message: "Say why you amend a delivered session (the agent's copy changes).", field: "amend_reason" });
      return;
    }
    form.dataset.amending = "true";
    for (const el of document.querySelectorAll("[data-frozen]")) { el.readOnly = false; el.hidden = false; }
    for (const row of document.querySelectorAll("[data-frozen-row]")) {
      for (const input of row.querySelectorAll("input, select")) input.disabled = false;
    }
    amend.disabled = true;
    document.getElementById("feedback").focus();
  });
  document.addEventListener("change", (e) => {
    const select = e.target;
    if (!select.matches('ul[data-list="goals"] select[data-field="metric"]')) return;
    const unit = select.closest("li.row").querySelector(".unit");
    if (unit) unit.textContent = select.value === "criterion_pass_rate" ? "%" : "";
  });
  document.addEventListener("click", (e) => {
    const target = e.target;
    if (target.classList.contains("remove-row")) { target.closest("li.row").remove(); markDirty(); }
    if (target.classList.contains("add-row")) {
      const list = target.dataset.list;
      const tpl = document.querySelector(`template[data-template="${list}"]`);
      document.querySelector(`ul[data-list="${list}"]`).append(tpl.content.cloneNode(true));
      markDirty();
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
      } catch (err) { showFieldError(err); }
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
      await saveFirst();  // the reload below must not drop the coach's edits
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
      await saveFirst();  // the reload below must not drop the coach's edits
      await api("POST", `/api/v1/coaching/sessions/${id}/attachments`, new FormData(upload));
      window.location.reload();
    } catch (err) { showFieldError(err); }
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
