// Uploads in the file browser: Uppy's Dashboard (a picker for files and whole folders), a drop
// anywhere on the browser, and tus to /api/tus/<project> in chunks, so a dropped connection
// resumes where the server stopped. Each file gets its own progress bar in #upload-list. The
// browser (files.js) keeps the open folder in #file-browser's data-folder, asks for the picker
// with a `files:pick` event and hears `files:uploaded` when a file has arrived.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("files-config").textContent);
  const TUS_CHUNK = 8 * 1024 * 1024; // a dropped connection costs at most one chunk
  const browser = document.getElementById("file-browser");
  const list = document.getElementById("upload-list");
  const rows = new Map(); // Uppy file id → its row in the uploads list

  function showError(message) {
    const box = document.getElementById("files-error");
    box.textContent = message;
    box.hidden = !message;
  }

  if (!window.Uppy) {
    showError("The uploader did not load; reload the page to upload.");
    return;
  }

  const inTrash = () => browser.classList.contains("trash-view");

  function addRow(file) {
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", `Upload of ${file.meta.path}`);
    const path = Object.assign(document.createElement("span"), {className: "upload-path", textContent: file.meta.path});
    const status = Object.assign(document.createElement("span"), {className: "upload-state", textContent: "waiting"});
    const row = document.createElement("li");
    row.dataset.path = file.meta.path;
    row.append(path, bar, status);
    list.append(row);
    document.getElementById("uploads").hidden = false;
    rows.set(file.id, {row, bar, status});
  }

  /** tus-js-client's error text holds the whole exchange; the server's own sentence is the JSON `message`. */
  function serverMessage(error) {
    const text = (error && error.message) || String(error);
    const match = text.match(/response text: (\{.*?\})(, request id|$)/s);
    if (!match) return text;
    try { return JSON.parse(match[1]).message || text; } catch (ignored) { return text; }
  }

  const logger = {
    debug() {}, warn() {},
    error(...parts) { showError(parts.map((part) => (part && part.message) || String(part)).join(" ")); },
  };
  // Nothing is added in the Trash view: there is no folder there to upload into.
  const uppy = new Uppy.Uppy({autoProceed: true, logger, onBeforeFileAdded: () => !inTrash()});
  uppy.use(Uppy.Dashboard, {
    inline: false, fileManagerSelectionType: "both", proudlyDisplayPoweredByUppy: false,
    closeModalOnClickOutside: true, showProgressDetails: true,
    note: "Files and whole folders go into the folder you are in.",
  });
  uppy.use(Uppy.DropTarget, {target: browser});
  // Every tus request (POST, PATCH, HEAD, DELETE) of a signed-in session carries its CSRF token.
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content;
  uppy.use(Uppy.Tus, {endpoint: config.tus, chunkSize: TUS_CHUNK, retryDelays: [0, 1000, 3000, 5000],
    removeFingerprintOnSuccess: true, headers: csrf ? {"X-CSRF-Token": csrf} : {}});

  uppy.on("file-added", (file) => {
    // Where it goes: the folder open now, plus the file's place inside a dropped or picked folder.
    const relative = (file.meta.relativePath || file.name).replace(/^\/+/, "");
    const meta = {path: [browser.dataset.folder, relative].filter(Boolean).join("/")};
    if (document.getElementById("replace-existing").checked) meta.overwrite = "1";
    uppy.setFileMeta(file.id, meta);
    addRow(uppy.getFile(file.id));
  });
  uppy.on("upload-progress", (file, progress) => {
    const shown = rows.get(file.id);
    if (!shown || !progress.bytesTotal) return;
    const percent = Math.floor((100 * progress.bytesUploaded) / progress.bytesTotal);
    shown.bar.value = percent;
    shown.status.textContent = `${percent}%`;
  });
  uppy.on("upload-success", (file) => {
    const shown = rows.get(file.id);
    if (shown) {
      shown.bar.value = 100;
      shown.status.textContent = "done";
      shown.row.classList.add("done");
    }
    browser.dispatchEvent(new CustomEvent("files:uploaded", {detail: {path: file.meta.path}}));
  });
  uppy.on("upload-error", (file, error) => {
    const shown = rows.get(file.id);
    const message = serverMessage(error);
    if (shown) {
      shown.status.textContent = `failed: ${message}`;
      shown.row.classList.add("failed");
    }
    showError(`${file.meta.path}: ${message}`);
  });
  uppy.on("complete", (result) => {
    // Finished files leave Uppy (the list keeps how each went), so the same file can be sent
    // again: to another folder, or with "Replace files that exist" after a refusal.
    for (const file of [...(result.successful || []), ...(result.failed || [])]) {
      rows.delete(file.id);
      uppy.removeFile(file.id);
    }
  });
  browser.addEventListener("files:pick", () => {
    if (!inTrash()) uppy.getPlugin("Dashboard").openModal();
  });
})();
