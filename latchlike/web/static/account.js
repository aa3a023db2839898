// Copy buttons of the pages that show a secret once (a new API token, an invitation link):
// `data-copy` names the element whose text is copied. Without clipboard access (plain http on
// another host), the text is selected instead, for Ctrl+C.
(() => {
  "use strict";
  const status = document.getElementById("copy-status");
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      try {
        await navigator.clipboard.writeText(source.textContent);
        status.textContent = "Copied.";
      } catch (error) {
        window.getSelection().selectAllChildren(source);
        status.textContent = "Selected: press Ctrl+C (or ⌘C) to copy.";
      }
    });
  });
})();
