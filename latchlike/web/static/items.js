// A map task's items on the execution page: one page at a time from the JSON API, filtered
// by phase, each linking its log (shown under the table). The live stream carries only counts; when a node's counts
// change, the page shown is read again (one page, never every item).
(function () {
  "use strict";
  const PAGE = 50;

  // Counts as one string whatever order the server listed the phases in.
  function canonical(counts) {
    return JSON.stringify(Object.entries(counts).sort());
  }

  function cell(row, content) {
    const td = row.insertCell();
    if (content instanceof Node) td.append(content); else td.textContent = content;
    return td;
  }

  function setup(section) {
    const phase = section.querySelector(".items-phase");
    const range = section.querySelector(".items-range");
    const previous = section.querySelector(".items-previous");
    const next = section.querySelector(".items-next");
    const body = section.querySelector(".items-table tbody");
    const log = section.querySelector(".item-log");
    let offset = 0;
    let counts = "";

    async function load() {
      const query = new URLSearchParams({offset: String(offset), limit: String(PAGE)});
      if (phase.value) query.set("phase", phase.value);
      const response = await fetch(section.dataset.items + "?" + query);
      if (!response.ok) {
        range.textContent = "items could not be read (" + response.status + ")";
        return;
      }
      const page = await response.json();
      counts = canonical(page.counts);
      for (const name of Object.keys(page.counts)) {
        if (!Array.from(phase.options).some((option) => option.value === name)) {
          phase.add(new Option(name.toLowerCase(), name));
        }
      }
      body.replaceChildren();
      for (const item of page.items) {
        const row = body.insertRow();
        row.dataset.item = String(item.index);
        row.dataset.phase = item.phase;
        cell(row, item.index);
        cell(row, item.attempt);
        const status = cell(row, "");
        const span = document.createElement("span");
        span.className = "phase phase-" + item.phase.toLowerCase();
        span.textContent = item.phase;
        status.append(span);
        if (item.error) {
          const details = document.createElement("details");
          const summary = document.createElement("summary");
          summary.textContent = "error";
          const pre = document.createElement("pre");
          pre.textContent = item.error;
          details.append(summary, pre);
          status.append(details);
        }
        cell(row, item.duration_seconds === null ? "…" : item.duration_seconds.toFixed(2) + " s");
        const link = document.createElement("a");
        link.href = section.dataset.logs + encodeURIComponent(item.node_id) + "/" + item.attempt + "/log";
        link.textContent = "log";
        link.addEventListener("click", (event) => { event.preventDefault(); show(item, link.href); });
        cell(row, link);
      }
      range.textContent = page.total === 0 ? "no items"
        : `${offset + 1}–${offset + page.items.length} of ${page.total}`;
      previous.disabled = offset === 0;
      next.disabled = offset + PAGE >= page.total;
    }

    // The log opens under the table; the link still opens it alone (a new tab, say).
    async function show(item, url) {
      const response = await fetch(url);
      log.hidden = false;
      log.dataset.item = String(item.index);
      log.textContent = `item ${item.index}, attempt ${item.attempt}:\n` + await response.text();
    }

    phase.addEventListener("change", () => { offset = 0; load(); });
    previous.addEventListener("click", () => { offset = Math.max(0, offset - PAGE); load(); });
    next.addEventListener("click", () => { offset += PAGE; load(); });
    document.addEventListener("execution-state", (event) => {
      const node = event.detail.nodes[Object.keys(event.detail.nodes)
        .filter((key) => key.startsWith(section.dataset.node + "/")).pop()];
      if (node && node[2] && canonical(node[2]) !== counts) load();
    });
    load();
  }

  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("section.map-items").forEach(setup));
})();
