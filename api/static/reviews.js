// Review-workflow forms (disputes, confirmations, calibration, rubric import): a form with
// data-url and data-method posts its fields as JSON to the API and reloads the page on success.
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

function initApiForms() {
  for (const form of document.querySelectorAll("form[data-url]")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
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
      window.location.reload();
    });
  }
}

document.addEventListener("DOMContentLoaded", initApiForms);
