// A file's page while its QC is queued or running: ask the file's JSON every two seconds and
// show the page again once the QC's status changes (the report, or why it failed).
"use strict";
(() => {
  const section = document.getElementById("qc");
  if (!section) return;
  const shown = section.dataset.status;
  const check = async () => {
    try {
      const answer = await fetch(section.dataset.file, {headers: {Accept: "application/json"}});
      if (answer.ok && (await answer.json()).qc.status !== shown) {
        location.reload();
        return;
      }
    } catch (error) {
      // The server may be restarting: keep asking.
    }
    setTimeout(check, 2000);
  };
  setTimeout(check, 2000);
})();
