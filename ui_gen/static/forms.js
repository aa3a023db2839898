// Browser side of ui_gen forms. HTML5 attributes do most checks; this adds what they
// cannot express (regex rules with their own messages, file formats), shows every
// message beside its field, and drives the dynamic widgets (rows, Optional, Union, CSV).
// `ruleFailure` and `matchesFormat` mirror ui_gen/rules.py line for line; a property
// test holds the two to the same answers.
"use strict";

const LatchlikeForms = (() => {
  const REQUIRED_ROWS = "This field is required.";
  const COMPRESSION = [".gz", ".bgz", ".bz2", ".xz", ".zst"];
  const FORMAT_ALIASES = {
    fastq: ["fastq", "fq"],
    fasta: ["fasta", "fa", "fna", "faa", "ffn"],
    bam: ["bam"],
    vcf: ["vcf"],
    csv: ["csv"],
    tsv: ["tsv", "tab"],
  };

  function ruleFailure(rules, value) {
    for (const rule of rules) {
      if (!new RegExp(rule.regex, "u").test(value)) return rule.message;
    }
    return null;
  }

  function matchesFormat(name, blobFormat) {
    if (!blobFormat) return true;
    const base = name.toLowerCase().split("/").pop();
    let suffixes = base.split(".").slice(1).map((s) => "." + s);
    while (suffixes.length && COMPRESSION.includes(suffixes[suffixes.length - 1])) suffixes.pop();
    const extension = suffixes.length ? suffixes[suffixes.length - 1].slice(1) : "";
    const wanted = blobFormat.toLowerCase();
    return (FORMAT_ALIASES[wanted] || [wanted]).includes(extension);
  }

  function checkRules(input) {
    const rules = JSON.parse(input.dataset.rules || "[]");
    const failure = input.value === "" ? null : ruleFailure(rules, input.value);
    input.setCustomValidity(failure || "");
  }

  function pickerInput(picker) {
    return picker.querySelector("input[name]");
  }

  function checkPicker(picker) {
    const input = pickerInput(picker);
    const chosen = input.value.trim();
    let message = "";
    if (!chosen && picker.hasAttribute("data-required") && !picker.closest("fieldset:disabled")) {
      message = "Pick a " + picker.dataset.kind + " or enter its URI.";
    } else if (chosen && picker.dataset.kind === "file" && !matchesFormat(chosen, picker.dataset.format)) {
      message = "'" + chosen.split("/").pop() + "' is not a " + picker.dataset.format + " file";
    }
    input.setCustomValidity(message);
  }

  function errorBox(element) {
    const name = element.name && element.name.replace(/\.(__none__|branch)$/, "");
    return name ? document.getElementById(name + "--error") : null;
  }

  function showMessage(element) {
    if (!element.name) return; // a picker's search box, say: not a field
    const box = errorBox(element);
    if (box) box.textContent = element.validationMessage;
    element.closest(".field")?.classList.toggle("invalid", !element.validity.valid);
  }

  function toggleOptional(checkbox) {
    const box = document.getElementById(checkbox.dataset.optional + "--value");
    if (box) box.disabled = checkbox.checked;
  }

  function chooseBranch(select) {
    const name = select.dataset.union;
    for (const fieldset of select.parentElement.querySelectorAll("fieldset[data-branch]")) {
      if (fieldset.dataset.branchOf !== name) continue;
      const chosen = fieldset.dataset.branch === select.value;
      fieldset.disabled = !chosen;
      fieldset.hidden = !chosen;
    }
  }

  // A Latch fork: the chosen branch is shown; the others are disabled, so the browser
  // neither submits nor checks them (the server leaves them out the same way).
  function chooseFork(radio) {
    const checked = radio.form.querySelector(`input[data-fork-choice][name="${CSS.escape(radio.name)}"]:checked`);
    for (const fieldset of document.querySelectorAll(`fieldset[data-fork-of="${CSS.escape(radio.name)}"]`)) {
      const chosen = checked !== null && fieldset.dataset.forkBranch === checked.value;
      fieldset.disabled = !chosen;
      fieldset.hidden = !chosen;
    }
    document.querySelectorAll(".picker").forEach(checkPicker);
  }

  function addRow(name) {
    const rows = document.querySelector(`[data-rows="${CSS.escape(name)}"]`);
    const template = document.querySelector(`template[data-row-template="${CSS.escape(name)}"]`);
    const used = [...rows.children].map((row) => {
      const named = row.querySelector("[name]");
      const match = named && named.name.slice(name.length + 1).match(/^(\d+)/);
      return match ? Number(match[1]) : -1;
    });
    const index = String(Math.max(-1, ...used) + 1);
    const html = template.innerHTML.replaceAll(name + ".__index__", name + "." + index);
    rows.insertAdjacentHTML("beforeend", html);
    const added = rows.lastElementChild;
    wire(added);
    return added;
  }

  // A list shows what launches: emptied, it launches empty; this puts the default back.
  function resetToDefault(name) {
    const select = document.querySelector(`select[multiple][name="${CSS.escape(name)}"]`);
    if (select) {
      const wanted = JSON.parse(document.querySelector(`[data-reset="${CSS.escape(name)}"]`).dataset.values);
      for (const option of select.options) option.selected = wanted.includes(option.value);
      showMessage(select);
      return;
    }
    const rows = document.querySelector(`[data-rows="${CSS.escape(name)}"]`);
    const template = document.querySelector(`template[data-default-rows="${CSS.escape(name)}"]`);
    rows.replaceChildren(template.content.cloneNode(true));
    wire(rows);
  }

  function checkRows(rows) {
    // A required list with no rows left: the server answers "required", so the browser does too.
    const empty = rows.hasAttribute("data-required") && !rows.children.length && !rows.closest("fieldset:disabled");
    const box = document.getElementById(rows.dataset.rows + "--error");
    if (box && (empty || box.dataset.rowsMessage)) box.textContent = empty ? REQUIRED_ROWS : "";
    if (box) box.dataset.rowsMessage = empty ? "1" : "";
    return !empty;
  }

  function parseCsv(text) {
    const rows = [];
    let row = [], cell = "", quoted = false;
    const delimiter = (text.split(/\r?\n/)[0] || "").includes("\t") ? "\t" : ",";
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
        else if (c === '"') quoted = false;
        else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === delimiter) { row.push(cell); cell = ""; }
      else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") i++;
        row.push(cell); rows.push(row); row = []; cell = "";
      } else cell += c;
    }
    if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
    return rows.filter((r) => r.some((value) => value.trim() !== ""));
  }

  function importCsv(name) {
    const textarea = document.getElementById(name + ".csv");
    const [header, ...lines] = parseCsv(textarea.value);
    const box = document.getElementById(name + ".csv--error");
    if (!header) return;
    const table = document.querySelector(`[data-sheet="${CSS.escape(name)}"]`);
    const columns = [...table.querySelectorAll("thead th")].map((th) => th.textContent.replace("*", "").trim().toLowerCase());
    const keys = header.map((h) => h.trim().toLowerCase());
    const rows = document.querySelector(`[data-rows="${CSS.escape(name)}"]`);
    const template = document.querySelector(`template[data-row-template="${CSS.escape(name)}"]`);
    const fieldKeys = [...template.content.querySelectorAll("td[data-field]")].map((td) => td.dataset.field.split(".").pop());
    const unknown = keys.filter((k) => !fieldKeys.includes(k) && !columns.includes(k));
    if (unknown.length) { box.textContent = "unknown column(s) " + unknown.join(", ") + "; expected: " + fieldKeys.join(", "); return; }
    box.textContent = "";
    for (const row of [...rows.children]) {
      if (![...row.querySelectorAll("input[type=text], input[type=number], select")].some((e) => e.value)) row.remove();
    }
    for (const line of lines) {
      const added = addRow(name);
      keys.forEach((key, i) => {
        const fieldKey = fieldKeys.includes(key) ? key : fieldKeys[columns.indexOf(key)];
        const cell = added.querySelector(`td[data-field$=".${CSS.escape(fieldKey)}"]`);
        const value = (line[i] || "").trim();
        const input = cell.querySelector("input[type=text], input[type=number], input[type=checkbox], select");
        if (input.type === "checkbox") input.checked = ["true", "1", "yes", "on"].includes(value.toLowerCase());
        else input.value = value;
      });
      added.querySelectorAll(".picker").forEach(checkPicker);
    }
    textarea.value = "";
  }

  function wire(root) {
    root.querySelectorAll("[data-rules]").forEach((input) => {
      checkRules(input);
      input.addEventListener("input", () => { checkRules(input); showMessage(input); });
    });
    root.querySelectorAll(".picker").forEach((picker) => {
      checkPicker(picker);
      pickerInput(picker).addEventListener("input", () => checkPicker(picker));
      if (picker.dataset.source) LatchlikePicker.enhance(picker, () => checkPicker(picker));
    });
    root.querySelectorAll("[data-optional]").forEach((checkbox) => {
      checkbox.addEventListener("change", () => { toggleOptional(checkbox); root.querySelectorAll(".picker").forEach(checkPicker); });
    });
    root.querySelectorAll("[data-union]").forEach((select) => select.addEventListener("change", () => chooseBranch(select)));
    root.querySelectorAll("[data-fork-choice]").forEach((radio) => radio.addEventListener("change", () => chooseFork(radio)));
    root.querySelectorAll("[data-add]").forEach((button) => button.addEventListener("click", () => addRow(button.dataset.add)));
    root.querySelectorAll("[data-remove]").forEach((button) => button.addEventListener("click", () => button.closest("[data-row]").remove()));
    root.querySelectorAll("[data-reset]").forEach((button) => {
      button.hidden = false;
      button.addEventListener("click", () => resetToDefault(button.dataset.reset));
    });
    root.querySelectorAll("[data-csv-import]").forEach((button) => button.addEventListener("click", () => importCsv(button.dataset.csvImport)));
    root.querySelectorAll("[data-csv-file]").forEach((input) => input.addEventListener("change", async () => {
      const file = input.files[0];
      if (!file) return;
      document.getElementById(input.dataset.csvFile + ".csv").value = await file.text();
      importCsv(input.dataset.csvFile);
    }));
  }

  function init(form) {
    wire(form);
    // Every message beside its field, not only the browser's first bubble.
    form.addEventListener("invalid", (event) => showMessage(event.target), true);
    // Messages follow typing, not blur: a message removed on blur moves the layout between
    // the mousedown and mouseup of the click that caused the blur, and that click is lost.
    form.addEventListener("input", (event) => { if (event.target.validity) showMessage(event.target); });
    form.addEventListener("change", (event) => { if (event.target.validity) showMessage(event.target); });
    form.addEventListener("submit", (event) => {
      form.querySelectorAll(".picker").forEach(checkPicker);
      const fields = [...form.elements].filter((e) => e.willValidate);
      fields.forEach(showMessage);
      const rowsOk = [...form.querySelectorAll("[data-rows]")].map(checkRows).every(Boolean);
      if (!fields.every((e) => e.validity.valid) || !rowsOk) event.preventDefault();
    });
  }

  document.querySelectorAll("form[data-launch-form]").forEach(init);
  document.getElementById("form-errors")?.focus();
  return { ruleFailure, matchesFormat, init };
})();
