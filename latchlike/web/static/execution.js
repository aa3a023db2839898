// The execution page while it runs: phases follow the server's event stream in place (a
// new attempt or node reloads the page), and "follow" shows a running attempt's log live.
(function () {
  "use strict";
  const base = location.pathname.replace(/\/$/, "");

  // classList, not className: an SVG element's className is an SVGAnimatedString, not text.
  function setPhase(element, phase) {
    const stale = Array.from(element.classList).filter((name) => name.startsWith("phase-"));
    element.classList.remove(...stale);
    element.classList.add("phase-" + phase.toLowerCase());
  }

  function apply(state) {
    const phase = document.getElementById("phase");
    phase.textContent = state.phase;
    setPhase(phase, state.phase);
    const shown = new Set(Array.from(document.querySelectorAll("#nodes tr[data-node]"),
      (row) => row.dataset.node + "/" + row.dataset.attempt));
    const sent = Object.keys(state.nodes);
    if (sent.length !== shown.size || sent.some((key) => !shown.has(key))) {
      location.reload();
      return;
    }
    for (const [key, [nodePhase, seconds]] of Object.entries(state.nodes)) {
      const [node, attempt] = key.split("/");
      const row = document.querySelector(`#nodes tr[data-node="${CSS.escape(node)}"][data-attempt="${attempt}"]`);
      const span = row.querySelector(".phase");
      span.textContent = nodePhase;
      setPhase(span, nodePhase);
      row.querySelector(".duration").textContent = seconds === null ? "…" : seconds.toFixed(2) + " s";
    }
    for (const [node, [nodePhase, detail]] of Object.entries(state.graph)) {
      const group = document.querySelector(`#graph g[data-node="${CSS.escape(node)}"]`);
      if (!group) continue;
      setPhase(group, nodePhase);
      group.querySelector(".graph-detail").textContent = nodePhase.toLowerCase() + " · " + detail;
    }
    document.dispatchEvent(new CustomEvent("execution-state", {detail: state})); // map items (items.js)
  }

  function follow(url) {
    const log = document.getElementById("live-log");
    log.hidden = false;
    log.textContent = "";
    const stream = new EventSource(url);
    stream.onmessage = (event) => {
      log.textContent += JSON.parse(event.data);
      log.scrollTop = log.scrollHeight;
    };
    stream.addEventListener("end", () => stream.close());
  }

  document.addEventListener("DOMContentLoaded", () => {
    const events = new EventSource(base + "/events");
    events.onmessage = (event) => apply(JSON.parse(event.data));
    events.addEventListener("end", () => {
      events.close();
      location.reload(); // the outputs and errors are rendered by the server
    });
    document.querySelectorAll("button.follow-log").forEach((button) =>
      button.addEventListener("click", () => follow(button.dataset.log)));
  });
})();
