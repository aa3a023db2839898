"use strict";
// The genome viewer: igv.js (vendored) on the options the page's server wrote as JSON.
// Every URL in them is ours (files through the Range endpoint, indexes built on demand),
// and igv's default genome list is off: nothing is read from the internet.
(function () {
  const holder = document.getElementById("genome");
  const options = document.getElementById("genome-config");
  if (!holder || !options) return;
  igv.createBrowser(holder, JSON.parse(options.textContent)).then(
    (browser) => {
      window.genomeBrowser = browser;
      holder.dataset.ready = "true";
    },
    (error) => {
      holder.textContent = "The genome browser could not open this file: " + error;
      holder.classList.add("error");
      console.error("genome browser:", error);
    },
  );
})();
