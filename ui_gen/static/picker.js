// File pickers that ask the server for candidates as a person browses folders or searches,
// so a project with 10,000 files costs the page nothing. The picker's text field stays the
// value: without this script a person types a path in the project (or a URI). The server's
// JSON (at the picker's `data-source`): {folders: [entry], entries: [entry], truncated},
// entry = {uri, name, path, is_directory, size}; `folder`, `q` and `limit` are added to the
// query. A pick fills in the entry's path, never its URI: the page shows no server paths.
"use strict";

const LatchlikePicker = (() => {
  const LIMIT = 50;
  const SEARCH_DELAY_MS = 200;

  async function listing(source, params) {
    const url = new URL(source, location.href);
    for (const [key, value] of Object.entries(params)) if (value) url.searchParams.set(key, value);
    url.searchParams.set("limit", String(LIMIT));
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error("the file list answered " + response.status);
    return response.json();
  }

  function element(tag, props, ...children) {
    const made = Object.assign(document.createElement(tag), props);
    made.append(...children);
    return made;
  }

  function enhance(picker, onPick) {
    const input = picker.querySelector("input[name]");
    const kind = picker.dataset.kind;
    const browse = element("button", { type: "button", className: "browse", textContent: "Browse…" });
    browse.setAttribute("aria-expanded", "false");
    const picked = element("small", { className: "picked" });
    const search = element("input", { type: "search", placeholder: "Search by name or path" });
    search.setAttribute("aria-label", "Search " + kind + "s");
    const status = element("p", { className: "picker-status" });
    status.setAttribute("aria-live", "polite");
    const tree = element("ul", { className: "picker-tree" });
    tree.setAttribute("role", "tree");
    const panel = element("div", { className: "picker-panel", hidden: true }, search, status, tree);
    picker.append(browse, picked, panel);

    function choose(entry) {
      input.value = entry.path;
      picked.textContent = entry.path;
      picked.dataset.path = entry.path;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      onPick();
      setOpen(false);
    }

    function entryItem(entry, label) {
      const button = element("button", { type: "button", className: "choose", textContent: label });
      button.dataset.path = entry.path;
      button.addEventListener("click", () => choose(entry));
      return element("li", { className: entry.is_directory ? "dir" : "file" }, button);
    }

    function folderItem(folder, pickable) {
      const toggle = element("button", { type: "button", className: "open", textContent: "▸ " + folder.name + "/" });
      toggle.setAttribute("aria-expanded", "false");
      const item = element("li", { className: "folder" }, toggle);
      item.setAttribute("role", "treeitem");
      if (pickable) {
        const use = element("button", { type: "button", className: "choose", textContent: "use this folder" });
        use.dataset.path = folder.path;
        use.addEventListener("click", () => choose(folder));
        item.append(" ", use);
      }
      toggle.addEventListener("click", async () => {
        const open = toggle.getAttribute("aria-expanded") === "true";
        toggle.setAttribute("aria-expanded", String(!open));
        toggle.textContent = (open ? "▸ " : "▾ ") + folder.name + "/";
        const nested = item.querySelector(":scope > ul");
        if (nested) { nested.hidden = open; return; }
        const children = element("ul", {});
        children.setAttribute("role", "group");
        item.append(children);
        await fill(children, { folder: folder.path });
      });
      return item;
    }

    async function fill(list, params) {
      status.textContent = "Loading…";
      try {
        const found = await listing(picker.dataset.source, params);
        const searching = Boolean(params.q);
        const items = searching
          ? found.entries.map((entry) => entryItem(entry, entry.path + (entry.is_directory ? "/" : "")))
          : [
              ...found.folders.map((folder) => folderItem(folder, kind === "directory")),
              ...(kind === "directory" ? [] : found.entries.map((entry) => entryItem(entry, entry.name))),
            ];
        list.replaceChildren(...items);
        status.textContent = found.truncated
          ? "Showing the first " + LIMIT + "; search to narrow down."
          : items.length ? "" : "No matching " + kind + "s" + (searching ? "." : " here.");
      } catch (error) {
        status.textContent = "Could not list files: " + error.message;
      }
    }

    function setOpen(open) {
      panel.hidden = !open;
      browse.setAttribute("aria-expanded", String(open));
      if (open && !tree.children.length) fill(tree, {});
      if (open) search.focus();
    }

    let timer = null;
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => fill(tree, { q: search.value.trim() }), SEARCH_DELAY_MS);
    });
    // Enter in the search box searches; it never submits the launch form.
    search.addEventListener("keydown", (event) => { if (event.key === "Enter") event.preventDefault(); });
    browse.addEventListener("click", () => setOpen(panel.hidden));
    input.addEventListener("input", () => { if (input.value !== picked.dataset.path) picked.textContent = ""; });
  }

  return { enhance };
})();
