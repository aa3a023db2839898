// The QC rules page: draws the project's rules from the JSON API and saves the editor's
// rule back to it. Every value is shown as text (never parsed as HTML).
(() => {
  const config = JSON.parse(document.getElementById("qc-rules-config").textContent);
  const base = `/api/projects/${encodeURIComponent(config.project)}/qc-rules`;
  const body = document.querySelector("#qc-rules tbody");
  const form = document.getElementById("qc-rule-form");
  const heading = document.getElementById("qc-rule-heading");
  const cancel = document.getElementById("qc-rule-cancel");
  const problem = document.getElementById("qc-rules-error");

  function show(message) {
    problem.textContent = message;
    problem.hidden = !message;
  }

  // A signed-in session's changes carry its CSRF token (the page's <meta name="csrf-token">).
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content;

  async function call(method, url, payload) {
    const headers = payload ? { "content-type": "application/json" } : {};
    if (csrf && method !== "GET") headers["X-CSRF-Token"] = csrf;
    const response = await fetch(url, {
      method,
      headers,
      body: payload ? JSON.stringify(payload) : undefined,
    });
    if (response.status === 204) return null;
    const answer = await response.json();
    if (!response.ok) {
      const detail = Array.isArray(answer.detail) ? answer.detail.map((d) => d.msg).join("; ") : answer.detail;
      throw new Error(answer.message || detail || `${response.status}`);
    }
    return answer;
  }

  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function button(label, action) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.addEventListener("click", action);
    return b;
  }

  function edit(rule) {
    form.elements.id.value = rule.id ?? "";
    form.elements.kind.value = rule.kind;
    form.elements.folder_glob.value = rule.folder_glob;
    form.elements.workflow.value = rule.workflow;
    form.elements.domain.value = rule.domain;
    form.elements.version.value = rule.version ?? "";
    form.elements.parameters.value = JSON.stringify(rule.parameters);
    form.elements.enabled.checked = rule.enabled;
    heading.textContent = rule.id === null ? `Replace the default for ${rule.kind}` : `Edit rule ${rule.id}`;
    cancel.hidden = false;
    form.elements.workflow.focus();
  }

  function reset() {
    form.reset();
    form.elements.id.value = "";
    heading.textContent = "New rule";
    cancel.hidden = true;
  }

  async function load() {
    const rules = await call("GET", base);
    body.replaceChildren();
    for (const rule of rules) {
      const row = body.insertRow();
      row.dataset.kind = rule.kind;
      row.dataset.rule = rule.id ?? "default";
      cell(row, rule.kind);
      cell(row, rule.folder_glob || "any");
      cell(row, rule.workflow + (rule.default ? " (default)" : ""), "qc-workflow");
      cell(row, rule.version || "newest");
      cell(row, JSON.stringify(rule.parameters));
      cell(row, rule.enabled ? "yes" : "off");
      const actions = row.insertCell();
      actions.append(button(rule.default ? "Replace" : "Edit", () => edit(rule)));
      if (!rule.default) {
        actions.append(" ", button("Delete", async () => {
          try {
            await call("DELETE", `${base}/${rule.id}`);
            show("");
            await load();
          } catch (error) {
            show(error.message);
          }
        }));
      }
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let parameters;
    try {
      parameters = JSON.parse(form.elements.parameters.value || "{}");
    } catch {
      show("Parameters must be a JSON object, such as {\"min_length\": 100}.");
      return;
    }
    const rule = {
      kind: form.elements.kind.value,
      folder_glob: form.elements.folder_glob.value.trim(),
      workflow: form.elements.workflow.value.trim(),
      domain: form.elements.domain.value.trim(),
      version: form.elements.version.value.trim() || null,
      parameters,
      enabled: form.elements.enabled.checked,
    };
    const id = form.elements.id.value;
    try {
      await call(id ? "PUT" : "POST", id ? `${base}/${id}` : base, rule);
      show("");
      reset();
      await load();
    } catch (error) {
      show(error.message);
    }
  });
  cancel.addEventListener("click", reset);
  load().catch((error) => show(error.message));
})();
