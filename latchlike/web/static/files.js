// The file browser (/files/<project>/<folder>): a lazy folder tree, breadcrumbs, a sortable
// table with multi-select, a context menu, keyboard actions and a Trash view; uploads are
// files_upload.js. Everything goes through the JSON file API, whose `message` is what
// the person reads when something is refused. Names are only ever set as text, never as HTML.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("files-config").textContent);
  const PAGE_CAP = 20000; // entries shown per folder; a bigger folder says so
  const $ = (id) => document.getElementById(id);
  const table = $("file-table");
  const body = table.tBodies[0];
  const menu = $("context-menu");
  const state = {
    folder: config.folder, trash: new URLSearchParams(location.search).get("view") === "trash",
    entries: [], sort: {key: "name", dir: 1}, selected: new Set(), anchor: null, truncated: false,
  };

  // ---- small helpers -------------------------------------------------------------------
  const join = (...parts) => parts.filter(Boolean).join("/");
  const parentOf = (path) => path.split("/").slice(0, -1).join("/");
  const nameOf = (path) => path.split("/").pop();
  const encodePath = (path) => path.split("/").map(encodeURIComponent).join("/");
  const fileUrl = (path) => `${config.files_api}/${encodeURIComponent(config.project)}/${encodePath(path)}`;
  const pageUrl = (folder) => config.page + (folder ? "/" + encodePath(folder) : "");
  const viewUrl = (path) => `${config.viewer}/${encodePath(path)}`;

  function element(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    node.append(...children.filter((child) => child !== null && child !== undefined));
    return node;
  }

  function humanSize(bytes) {
    const units = ["B", "kB", "MB", "GB", "TB"];
    let value = bytes, unit = 0;
    while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit += 1; }
    return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
  }

  const utc = (iso) => new Date(iso).toISOString().slice(0, 16).replace("T", " ") + " UTC";

  function showError(message) {
    const box = $("files-error");
    box.textContent = message;
    box.hidden = !message;
  }

  function say(message) { $("files-status").textContent = message; }

  /** fetch → JSON; a refusal throws an Error carrying the server's own sentence. */
  async function api(method, url, json) {
    const init = {method, headers: {Accept: "application/json"}};
    // A signed-in session's changes carry its CSRF token (the page's <meta name="csrf-token">).
    const csrf = document.querySelector('meta[name="csrf-token"]')?.content;
    if (csrf && method !== "GET") init.headers["X-CSRF-Token"] = csrf;
    if (json !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(json);
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      throw new Error(`Could not reach the server (${error.message}).`);
    }
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (error) { data = null; }
    if (!response.ok) throw new Error((data && data.message) || `The server answered ${response.status}.`);
    return data;
  }

  /** Every entry of a folder, following `next_after` pages (up to PAGE_CAP). */
  async function listFolder(folder) {
    const entries = [];
    let after = "";
    for (;;) {
      const page = await api("GET", `${fileUrl(folder)}?after=${encodeURIComponent(after)}`);
      if (!page.entries) return {file: page};
      entries.push(...page.entries);
      if (!page.next_after) return {entries, truncated: false};
      if (entries.length >= PAGE_CAP) return {entries, truncated: true};
      after = page.next_after;
    }
  }

  // ---- the folder tree (lazy: a folder's subfolders are fetched when it opens) ----------
  const treeNodes = new Map(); // path → {item, group, twisty, loaded}
  const expanded = new Set([""]);
  let treeWork = Promise.resolve();
  const isBelow = (path, folder) => (folder ? path.startsWith(folder + "/") : path !== "");

  /** Tree changes run one after another, so two reloads never build the same branch at once. */
  function inTree(work) {
    treeWork = treeWork.then(work).catch((error) => showError(error.message));
    return treeWork;
  }

  function treeItem(path, label) {
    const twisty = element("button", {type: "button", className: "twisty", textContent: "▸", tabIndex: -1});
    twisty.setAttribute("aria-label", `Show folders in ${label}`);
    const link = element("a", {href: pageUrl(path), textContent: label, className: "tree-link"});
    link.dataset.folder = path;
    const group = element("ul", {hidden: true});
    group.setAttribute("role", "group");
    const item = element("li", {}, twisty, link, group);
    item.setAttribute("role", "treeitem");
    item.setAttribute("aria-expanded", "false");
    item.dataset.folder = path;
    treeNodes.set(path, {item, group, twisty, loaded: false});
    twisty.addEventListener("click", () => inTree(() => toggleTree(path)));
    return item;
  }

  async function loadTree(path) {
    const node = treeNodes.get(path);
    const listed = await listFolder(path);
    const folders = (listed.entries || []).filter((entry) => entry.is_folder);
    for (const known of [...treeNodes.keys()]) if (isBelow(known, path)) treeNodes.delete(known);
    node.group.replaceChildren(...folders.map((entry) => treeItem(entry.path, entry.name)));
    node.loaded = true;
    node.twisty.classList.toggle("leaf", folders.length === 0);
    for (const entry of folders) if (expanded.has(entry.path)) await openTree(entry.path);
  }

  async function openTree(path) {
    const node = treeNodes.get(path);
    if (!node) return;
    if (!node.loaded) await loadTree(path);
    expanded.add(path);
    node.group.hidden = false;
    node.item.setAttribute("aria-expanded", "true");
    node.twisty.textContent = "▾";
  }

  async function toggleTree(path) {
    const node = treeNodes.get(path);
    if (node.item.getAttribute("aria-expanded") === "true") {
      expanded.delete(path);
      node.group.hidden = true;
      node.item.setAttribute("aria-expanded", "false");
      node.twisty.textContent = "▸";
    } else {
      await openTree(path);
    }
  }

  /** Reload the open folders (after anything changed), then show the way to the current one. */
  function refreshTree() {
    return inTree(async () => {
      await loadTree("");
      await revealInTree(state.folder);
    });
  }

  /** Open the folders down to `folder` (and it), and mark it as the current one. */
  async function revealInTree(folder) {
    const parts = folder ? folder.split("/") : [];
    for (let i = 0; i <= parts.length; i += 1) await openTree(parts.slice(0, i).join("/"));
    for (const [path, node] of treeNodes) {
      const current = !state.trash && path === folder;
      node.item.setAttribute("aria-selected", String(current));
      node.item.classList.toggle("current", current);
    }
  }

  // ---- the listing ----------------------------------------------------------------------
  function crumbs() {
    const nav = $("crumbs");
    const items = [element("a", {href: "/files", textContent: "Files"}), " › "];
    const root = element("a", {href: pageUrl(""), textContent: config.project});
    root.dataset.folder = "";
    items.push(root);
    const parts = state.folder && !state.trash ? state.folder.split("/") : []; // the trash is the project's
    parts.forEach((part, index) => {
      const path = parts.slice(0, index + 1).join("/");
      const link = element("a", {href: pageUrl(path), textContent: part});
      link.dataset.folder = path;
      if (index === parts.length - 1) link.setAttribute("aria-current", "page");
      items.push(" › ", link);
    });
    if (state.trash) items.push(" › ", element("span", {textContent: "Trash"}));
    nav.replaceChildren(...items);
    $("files-title").textContent = state.trash ? "Trash" : (state.folder ? nameOf(state.folder) : config.project);
    document.title = `${state.trash ? "Trash" : state.folder || config.project} · Files · latchlike`;
  }

  const sortValue = {
    name: (entry) => entry.name,
    size: (entry) => entry.size,
    kind: (entry) => kindText(entry),
    modified: (entry) => entry.trashed_at || entry.uploaded_at,
  };
  const collator = new Intl.Collator(undefined, {numeric: true, sensitivity: "base"});

  function sorted(entries) {
    const {key, dir} = state.sort;
    return [...entries].sort((a, b) => {
      if (a.is_folder !== b.is_folder) return a.is_folder ? -1 : 1; // folders first, as file managers do
      const x = sortValue[key](a), y = sortValue[key](b);
      const order = typeof x === "number" ? x - y : key === "modified" ? Date.parse(x) - Date.parse(y)
        : collator.compare(String(x || ""), String(y || ""));
      return dir * (order || collator.compare(a.name, b.name));
    });
  }

  /** The API offers QC for a file by giving it a `qc` state; "none" says no QC applies to it. */
  const hasQc = (entry) => !entry.is_folder && Boolean(entry.qc) && entry.qc.status !== "none";

  function kindText(entry) {
    if (entry.is_folder) return "folder";
    if (!entry.kind) return "";
    const kind = entry.kind_detected === false ? `${entry.kind} (set by hand)` : entry.kind;
    return entry.compression && entry.compression !== "none" ? `${kind} (${entry.compression})` : kind;
  }

  function render() {
    crumbs();
    const rows = sorted(state.entries).map((entry) => {
      const name = entry.is_folder && !state.trash
        ? element("a", {href: pageUrl(entry.path), textContent: entry.name, className: "folder"})
        : element("span", {textContent: entry.name, className: entry.is_folder ? "folder" : "file"});
      if (entry.is_folder && !state.trash) name.dataset.folder = entry.path;
      const check = element("input", {type: "checkbox", tabIndex: -1});
      check.setAttribute("aria-label", `Select ${entry.name}`);
      const when = entry.trashed_at || entry.uploaded_at;
      const row = element("tr", {},
        element("td", {className: "check"}, check),
        element("td", {className: "name"}, name, entry.read_only ? element("span", {className: "tag", textContent: "read-only"}) : null),
        element("td", {className: "num", textContent: entry.is_folder ? "" : humanSize(entry.size), title: `${entry.size} bytes`}),
        element("td", {textContent: kindText(entry)},
          hasQc(entry) ? element("span", {className: `tag qc qc-${entry.qc.status}`, textContent: `QC ${entry.qc.status}`,
            title: entry.qc.message || ""}) : null),
        element("td", {}, element("time", {dateTime: when, textContent: utc(when)})));
      row.dataset.path = entry.path;
      row.tabIndex = -1;
      row.draggable = !state.trash && !entry.read_only;
      return row;
    });
    body.replaceChildren(...rows);
    for (const th of table.tHead.querySelectorAll("th[data-sort]")) {
      const on = th.dataset.sort === state.sort.key;
      if (on) th.setAttribute("aria-sort", state.sort.dir > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    }
    $("files-empty").hidden = state.entries.length > 0;
    $("files-empty").textContent = state.trash ? "The trash is empty."
      : "This folder is empty. Drop files or folders here, or use Upload.";
    $("trash-toggle").setAttribute("aria-pressed", String(state.trash));
    $("trash-toggle").textContent = state.trash ? "Back to files" : "Trash";
    $("file-browser").classList.toggle("trash-view", state.trash);
    $("file-browser").dataset.folder = state.folder; // where uploads go
    table.tHead.querySelector("th[data-sort=modified] button").textContent = state.trash ? "Deleted" : "Modified";
    if (state.truncated) say(`Showing the first ${state.entries.length} entries of this folder.`);
    paintSelection();
  }

  let latest = 0; // the newest load wins: a slow answer for a folder left behind is dropped

  async function load(folder, {push = false, select = []} = {}) {
    const ticket = ++latest;
    showError("");
    try {
      if (state.trash) {
        const entries = await api("GET", config.trash_api);
        if (ticket !== latest) return;
        state.entries = entries;
        state.truncated = false;
      } else {
        const listed = await listFolder(folder);
        if (ticket !== latest) return;
        if (listed.file) { // the address named a file: open its folder with it selected
          return load(parentOf(folder), {push, select: [folder]});
        }
        state.entries = listed.entries;
        state.truncated = listed.truncated;
      }
      state.folder = folder;
    } catch (error) {
      if (ticket !== latest) return;
      state.folder = folder;
      state.entries = [];
      render();
      showError(error.message);
      return;
    }
    if (push) {
      history.pushState({folder, trash: state.trash}, "", pageUrl(folder) + (state.trash ? "?view=trash" : ""));
    }
    state.selected = new Set(select.filter((path) => state.entries.some((entry) => entry.path === path)));
    state.anchor = null;
    render();
    inTree(() => revealInTree(folder));
    watchQc();
  }

  // A file whose QC is queued or running is listed again every few seconds, so its badge
  // turns to done (or failed) without a reload; nothing is polled once every QC has settled.
  let qcTimer = null;
  function watchQc() {
    clearTimeout(qcTimer);
    const pending = state.entries.some((entry) => entry.qc && ["queued", "running"].includes(entry.qc.status));
    if (pending && !state.trash) qcTimer = setTimeout(() => { if (!document.hidden) reload(); else watchQc(); }, 2000);
  }

  const reload = () => load(state.folder, {select: [...state.selected]}); // what is still there stays selected

  // ---- selection ------------------------------------------------------------------------
  const rowsInOrder = () => Array.from(body.rows);
  const selectedEntries = () => state.entries.filter((entry) => state.selected.has(entry.path));

  function paintSelection() {
    for (const row of rowsInOrder()) {
      const on = state.selected.has(row.dataset.path);
      row.classList.toggle("selected", on);
      row.setAttribute("aria-selected", String(on));
      row.querySelector("input[type=checkbox]").checked = on;
    }
    const all = $("select-all");
    all.checked = state.entries.length > 0 && state.selected.size === state.entries.length;
    all.indeterminate = state.selected.size > 0 && !all.checked;
    const chosen = selectedEntries();
    const writable = chosen.length > 0 && chosen.every((entry) => !entry.read_only);
    const enable = {
      download: !state.trash && chosen.length > 0, // a folder comes as one tar
      rename: !state.trash && chosen.length === 1 && writable,
      "change-kind": !state.trash && chosen.length === 1 && writable && !chosen[0].is_folder,
      move: !state.trash && writable,
      delete: !state.trash && writable,
      "rerun-qc": !state.trash && chosen.length > 0 && chosen.every(hasQc),
      restore: state.trash && chosen.length > 0,
      open: !state.trash && chosen.length === 1,
      upload: !state.trash,
      "new-folder": !state.trash,
    };
    for (const button of document.querySelectorAll("[data-action]")) {
      const action = button.dataset.action;
      button.disabled = !enable[action];
      // Hooks shown only where they apply: Restore in the trash; Re-run QC when the API offers it.
      if (action === "restore") button.hidden = !state.trash;
      if (action === "rerun-qc") button.hidden = !enable[action];
    }
    if (chosen.length && !state.truncated) say(`${chosen.length} selected`);
    else if (!state.truncated) say(`${state.entries.length} item${state.entries.length === 1 ? "" : "s"}`);
  }

  function choose(path, {toggle = false, range = false} = {}) {
    const order = rowsInOrder().map((row) => row.dataset.path);
    if (range && state.anchor !== null && order.includes(state.anchor)) {
      const [a, b] = [order.indexOf(state.anchor), order.indexOf(path)].sort((x, y) => x - y);
      if (!toggle) state.selected.clear();
      for (const each of order.slice(a, b + 1)) state.selected.add(each);
    } else if (toggle) {
      if (state.selected.has(path)) state.selected.delete(path); else state.selected.add(path);
      state.anchor = path;
    } else {
      state.selected = new Set([path]);
      state.anchor = path;
    }
    paintSelection();
    const row = rowsInOrder().find((each) => each.dataset.path === path);
    if (row) row.focus({preventScroll: false});
  }

  function selectAll(on) {
    state.selected = new Set(on ? state.entries.map((entry) => entry.path) : []);
    paintSelection();
  }

  // ---- actions --------------------------------------------------------------------------
  function ask(label, value, help = "", suggestions = []) {
    const dialog = $("ask-dialog");
    $("ask-label").textContent = label;
    $("ask-help").textContent = help;
    $("known-folders").replaceChildren(...suggestions.map((path) => element("option", {value: path})));
    const input = $("ask-input");
    input.value = value;
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => {
        resolve(dialog.returnValue === "ok" ? input.value.trim() : null);
      }, {once: true});
      dialog.returnValue = "";
      dialog.showModal();
      input.focus();
      const dot = value.lastIndexOf(".");
      input.setSelectionRange(0, dot > 0 ? dot : value.length); // the name, not its extension
    });
  }

  /** Run `work` for each chosen entry; say how many it did, and the first refusal's message. */
  async function each(entries, work, done) {
    let ok = 0;
    const failures = [];
    for (const entry of entries) {
      try { await work(entry); ok += 1; } catch (error) { failures.push(`${entry.name}: ${error.message}`); }
    }
    await reload();
    await refreshTree();
    if (ok) say(done(ok));
    if (failures.length) showError(failures.join(" "));
  }

  function moveInto(entries, folder) {
    return each(entries, (entry) => api("POST", `${fileUrl(entry.path)}:move`, {to: join(folder, entry.name)}),
      (count) => `Moved ${plural(count, "item")} to ${folder || config.project}`);
  }

  const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;

  const actions = {
    async open() { // a folder opens here; a file in its viewer (records, table, report, genome…)
      const [entry] = selectedEntries();
      if (!entry) return;
      if (entry.is_folder) await load(entry.path, {push: true});
      else location.assign(viewUrl(entry.path));
    },
    async download() { // a file as itself, a folder as one archive of all it holds
      for (const entry of selectedEntries()) {
        const name = entry.is_folder ? `${entry.name}.tar` : entry.name;
        const link = element("a", {href: `${fileUrl(entry.path)}?download=1`, download: name});
        document.body.append(link);
        link.click();
        link.remove();
      }
    },
    async rename() {
      const [entry] = selectedEntries();
      const name = await ask(`Rename ${entry.name} to`, entry.name);
      if (!name || name === entry.name) return;
      if (name.includes("/")) { showError("A name cannot hold '/': use Move to put it in another folder."); return; }
      const to = join(parentOf(entry.path), name);
      await each([entry], () => api("POST", `${fileUrl(entry.path)}:move`, {to}), () => `Renamed to ${name}`);
      state.selected = new Set([to]);
      paintSelection();
    },
    async move() {
      const chosen = selectedEntries();
      if (!chosen.length) return;
      const known = [...treeNodes.keys()].filter(Boolean).sort();
      const target = await ask(`Move ${plural(chosen.length, "item")} to folder`, state.folder,
        "A folder path in this project, like runs/2026; leave empty for the top. Missing folders are made.", known);
      if (target === null) return;
      await moveInto(chosen, target.replace(/^\/+|\/+$/g, ""));
    },
    async delete() {
      const chosen = selectedEntries();
      await each(chosen, (entry) => api("DELETE", fileUrl(entry.path)),
        (count) => `Moved ${plural(count, "item")} to the trash (open Trash to restore)`);
    },
    async restore() {
      await each(selectedEntries(), (entry) => api("POST", `${fileUrl(entry.path)}:restore`),
        (count) => `Restored ${plural(count, "item")}`);
    },
    async "new-folder"() {
      const name = await ask("New folder name", "untitled folder");
      if (!name) return;
      if (name.includes("/")) { showError("A folder name cannot hold '/'."); return; }
      const path = join(state.folder, name);
      await each([{name, path}], () => api("POST", `${fileUrl(path)}:mkdir`), () => `Made folder ${name}`);
    },
    async "change-kind"() { // what the file is, over detection; its QC runs again for the new kind
      const [entry] = selectedEntries();
      const kind = await ask(`Kind of ${entry.name}`, entry.kind || "unknown",
        `One of: ${config.kinds.join(", ")}. Its QC runs again for the new kind.`, config.kinds);
      if (!kind || kind === entry.kind) return;
      await each([entry], () => api("POST", `${fileUrl(entry.path)}:kind`, {kind}), () => `${entry.name} is ${kind} now`);
    },
    async "rerun-qc"() {
      await each(selectedEntries(), (entry) => api("POST", `${fileUrl(entry.path)}:qc`),
        (count) => `QC started again for ${plural(count, "file")}`);
    },
    async upload() { $("file-browser").dispatchEvent(new CustomEvent("files:pick")); },
  };

  function run(action) {
    hideMenu();
    const button = document.querySelector(`.toolbar [data-action="${action}"], #context-menu [data-action="${action}"]`);
    if (!actions[action] || (button && button.disabled)) return;
    actions[action]().catch((error) => showError(error.message));
  }

  // ---- dragging rows onto a folder (in the table, the tree or the breadcrumbs) moves them ---
  const DRAGGED = "application/x-latchlike-paths"; // not "Files": Uppy's drop target leaves it alone

  function dropFolder(event) {
    if (!event.dataTransfer || !event.dataTransfer.types.includes(DRAGGED) || state.trash) return null;
    const link = event.target.closest("#folder-tree a[data-folder], #crumbs a[data-folder]");
    if (link) return link.dataset.folder;
    const row = event.target.closest("#file-table tbody tr");
    const entry = row && state.entries.find((each) => each.path === row.dataset.path);
    return entry && entry.is_folder ? entry.path : null;
  }

  function markDropTarget(target) {
    for (const marked of document.querySelectorAll(".drop-target")) marked.classList.remove("drop-target");
    if (target) target.classList.add("drop-target");
  }

  body.addEventListener("dragstart", (event) => {
    const row = event.target.closest("tr");
    if (!state.selected.has(row.dataset.path)) choose(row.dataset.path);
    const paths = selectedEntries().filter((entry) => !entry.read_only).map((entry) => entry.path);
    event.dataTransfer.setData(DRAGGED, JSON.stringify(paths));
    event.dataTransfer.effectAllowed = "move";
  });
  document.addEventListener("dragover", (event) => {
    const folder = dropFolder(event);
    if (folder === null) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    markDropTarget(event.target.closest("a, tr"));
  });
  document.addEventListener("dragend", () => markDropTarget(null));
  document.addEventListener("drop", (event) => {
    const folder = dropFolder(event);
    markDropTarget(null);
    if (folder === null) return;
    event.preventDefault();
    const paths = JSON.parse(event.dataTransfer.getData(DRAGGED));
    // Into itself or where it already is: nothing to do for that one.
    const moving = state.entries.filter((entry) => paths.includes(entry.path) && entry.path !== folder
      && !folder.startsWith(entry.path + "/") && parentOf(entry.path) !== folder);
    if (moving.length) moveInto(moving, folder).catch((error) => showError(error.message));
  });

  // ---- context menu ---------------------------------------------------------------------
  function showMenu(x, y) {
    paintSelection();
    menu.hidden = false;
    const {innerWidth, innerHeight} = window;
    menu.style.left = `${Math.min(x, innerWidth - menu.offsetWidth - 4)}px`;
    menu.style.top = `${Math.min(y, innerHeight - menu.offsetHeight - 4)}px`;
    const first = menu.querySelector("button:not([disabled]):not([hidden])");
    if (first) first.focus();
  }

  function hideMenu() { menu.hidden = true; }

  // ---- wiring ---------------------------------------------------------------------------
  body.addEventListener("click", (event) => {
    const row = event.target.closest("tr");
    if (!row) return;
    if (event.target.closest("a[data-folder]") && !event.ctrlKey && !event.metaKey && !event.shiftKey) return;
    if (event.target.closest("a")) event.preventDefault();
    const checkbox = event.target.matches("input[type=checkbox]");
    choose(row.dataset.path, {toggle: checkbox || event.ctrlKey || event.metaKey, range: event.shiftKey});
  });
  body.addEventListener("dblclick", (event) => {
    const row = event.target.closest("tr");
    if (row) { choose(row.dataset.path); run("open"); }
  });
  body.addEventListener("contextmenu", (event) => {
    const row = event.target.closest("tr");
    if (!row) return;
    event.preventDefault();
    if (!state.selected.has(row.dataset.path)) choose(row.dataset.path);
    showMenu(event.clientX, event.clientY);
  });
  $("drop-zone").addEventListener("contextmenu", (event) => {
    if (event.target.closest("tbody tr")) return;
    event.preventDefault();
    selectAll(false);
    showMenu(event.clientX, event.clientY);
  });
  // Enter submits the dialog with its one submit button, OK; Cancel and Escape close it unanswered.
  $("ask-cancel").addEventListener("click", () => $("ask-dialog").close("cancel"));
  $("select-all").addEventListener("change", (event) => selectAll(event.target.checked));
  table.tHead.addEventListener("click", (event) => {
    const th = event.target.closest("th[data-sort]");
    if (!th) return;
    const key = th.dataset.sort;
    state.sort = {key, dir: state.sort.key === key ? -state.sort.dir : 1};
    render();
  });
  for (const button of document.querySelectorAll("[data-action]")) {
    button.addEventListener("click", () => run(button.dataset.action));
  }
  $("trash-toggle").addEventListener("click", () => {
    state.trash = !state.trash;
    load(state.folder, {push: true});
  });
  // Links to folders (tree, breadcrumbs, names) open in place; a new tab still gets a real page.
  document.addEventListener("click", (event) => {
    if (!menu.hidden && !event.target.closest("#context-menu")) hideMenu();
    const link = event.target.closest("a[data-folder]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    state.trash = false;
    load(link.dataset.folder, {push: true});
  });
  window.addEventListener("popstate", () => {
    state.trash = new URLSearchParams(location.search).get("view") === "trash";
    const path = decodeURIComponent(location.pathname.slice(config.page.length + 1));
    load(path);
  });
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select, dialog, .uppy-Dashboard")) return;
    if (event.key === "Escape") { hideMenu(); return; }
    if (!menu.hidden) return;
    const order = rowsInOrder().map((row) => row.dataset.path);
    const key = event.key;
    if (key === "Enter" && event.target.closest("a, button")) return; // the link or button itself acts
    if (key === "Delete" && !state.trash) run("delete");
    else if (key === "F2") run("rename");
    else if (key === "Enter") run("open");
    else if (key === "a" && (event.ctrlKey || event.metaKey)) selectAll(true);
    else if ((key === "ArrowDown" || key === "ArrowUp") && order.length) {
      const current = order.indexOf(state.anchor);
      const next = Math.max(0, Math.min(order.length - 1, current + (key === "ArrowDown" ? 1 : -1)));
      choose(order[current < 0 ? 0 : next], {range: event.shiftKey});
      if (event.shiftKey) state.anchor = order[current < 0 ? 0 : next];
    } else if (key === "Backspace" && state.folder && !state.trash) load(parentOf(state.folder), {push: true});
    else return;
    event.preventDefault();
  });

  // Uploads live in files_upload.js: it asks for the open folder on the browser element, and
  // says when a file has arrived; the listing then catches up (once for a burst of files).
  let refreshSoon = null;
  $("file-browser").addEventListener("files:uploaded", () => {
    clearTimeout(refreshSoon);
    refreshSoon = setTimeout(() => reload().then(refreshTree), 300);
  });
  const tree = $("folder-tree");
  tree.append(treeItem("", config.project));
  history.replaceState({folder: state.folder, trash: state.trash}, "", location.href);
  load(state.folder);
})();
