// The interactive OpenAPI reference: Swagger UI, served by this site, reading the
// document from the URL in #swagger-ui's data-spec-url. Requests are not sent from
// the page ("Try it out" is off): the site's Content-Security-Policy allows no
// other origin, and the documented API is somebody else's server.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    supportedSubmitMethods: [],
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
})();
