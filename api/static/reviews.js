// Review-workflow forms (disputes, confirmations, calibration, rubric import): a form with
// data-url and data-method posts its fields as JSON to the API. Inside a [data-refresh] box the
// page is updated in place (that box, the ids it names, and what a verdict changes), so a
// recording that is playing keeps playing; elsewhere the page reloads.
"use strict";

async function apiDetail(res) {
  try {
    const body = await res.json();
    return typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
  } catch {
    return `${res.status} ${res.statusText}`;
  }
}

// Fields named "answers.greeting" become {"answers": {"greeting": …}}; empty ones are left out.
function formJson(form) {
  const out = {};
  for (const [key, value] of new FormData(form).entries()) {
    if (value === "") continue;
    const parts = key.split(".");
    let target = out;
    for (const part of parts.slice(0, -1)) target = target[part] = target[part] || {};
    const last = parts[parts.length - 1];
    if (form.querySelector(`[name="${key}"][data-list]`)) {
      (target[last] = target[last] || []).push(value);
    } else {
      target[last] = value;
    }
  }
  return out;
}

// Replace the form's [data-refresh] box, and the elements whose ids it lists, with their
// versions from the page as the server renders it now. False when there is no such box.
async function refreshInPlace(form) {
  const box = form.closest("[data-refresh]");
  if (!box || !box.id) return false;
  const res = await fetch(window.location.href, { headers: { Accept: "text/html" } });
  if (!res.ok) return false;
  const fresh = new DOMParser().parseFromString(await res.text(), "text/html");
  const ids = [box.id, ...box.dataset.refresh.split(/\s+/).filter(Boolean)];
  for (const id of ids) {
    const now = document.getElementById(id);
    const next = fresh.getElementById(id);
    if (!now) continue;
    if (!next) { if (id === box.id) now.remove(); continue; }
    const node = document.importNode(next, true);
    now.replaceWith(node);
    bindApiForms(node);
  }
  if (typeof refreshConsequences === "function") await refreshConsequences();  // review.js
  return true;
}

function bindApiForms(root) {
  const forms = root.matches && root.matches("form[data-url]")
    ? [root] : root.querySelectorAll("form[data-url]");
  for (const form of forms) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
      const status = form.querySelector("[role=status]");
      const button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      const body = form.dataset.raw !== undefined
        ? form.querySelector("textarea").value
        : JSON.stringify(formJson(form));
      const res = await fetch(form.dataset.url, {
        method: form.dataset.method || "POST",
        headers: {
          "Content-Type": form.dataset.raw !== undefined ? "application/yaml" : "application/json",
          Accept: "application/json",
        },
        body,
      });
      if (button) button.disabled = false;
      if (!res.ok) {
        if (status) status.textContent = `Not saved: ${await apiDetail(res)}`;
        return;
      }
      if (status) status.textContent = "Saved.";
      if (!(await refreshInPlace(form))) window.location.reload();
    });
  }
}

document.addEventListener("DOMContentLoaded", () => bindApiForms(document));
