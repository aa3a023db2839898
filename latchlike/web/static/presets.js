// Presets fill the launch form in place: fetch the page the preset's GET would load, put
// its content in place of this one's, and wire the new form as forms.js wires a loaded
// one. Without this script (or if the fetch fails) the GET loads that page instead.
(() => {
  function wire(main) {
    const presets = main.querySelector("#presets");
    if (!presets) return;
    const select = presets.querySelector("select");
    select.addEventListener("change", () => presets.requestSubmit());
    presets.addEventListener("submit", async (event) => {
      event.preventDefault();
      const url = new URL(presets.getAttribute("action") || location.pathname, location.href);
      url.search = new URLSearchParams(new FormData(presets)).toString();
      let page;
      try {
        const response = await fetch(url, { headers: { accept: "text/html" } });
        if (!response.ok) throw new Error(`${response.status}`);
        page = new DOMParser().parseFromString(await response.text(), "text/html");
      } catch {
        presets.submit();
        return;
      }
      const next = page.querySelector("main");
      document.querySelector("main").replaceWith(next);  // its scripts stay inert: these run once
      history.replaceState(null, "", url);
      next.querySelectorAll("form[data-launch-form]").forEach(LatchlikeForms.init);
      wire(next);
      next.querySelector("#preset")?.focus();
    });
  }
  wire(document.querySelector("main"));
})();
