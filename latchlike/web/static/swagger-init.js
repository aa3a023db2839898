// Starts Swagger UI on /docs (a file, not an inline script: the page's CSP runs only files).
(() => {
  const root = document.getElementById("swagger-ui");
  // "Try it out" from a signed-in browser: changes carry the session's CSRF token.
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content;
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    requestInterceptor: (request) => {
      if (csrf && !["GET", "HEAD"].includes((request.method || "GET").toUpperCase())) {
        request.headers["X-CSRF-Token"] = csrf;
      }
      return request;
    },
  });
})();
