// The API reference page (/docs): Redoc renders /openapi.json. Loaded by /docs/index.html after
// /docs/redoc.standalone.js (copied from node_modules/redoc at build time; see vite.config.ts).
// Everything comes from this origin: the page runs under a Content-Security-Policy.
'use strict';

(function () {
  var root = document.getElementById('redoc');
  if (typeof window.Redoc === 'undefined') {
    root.textContent = 'The API reference viewer could not be loaded. The API description is at ';
    var link = document.createElement('a');
    link.href = '/openapi.json';
    link.textContent = '/openapi.json';
    root.append(link, '.');
    return;
  }
  var font = "'Inter', 'Segoe UI', system-ui, -apple-system, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif";
  window.Redoc.init(
    '/openapi.json',
    {
      hideDownloadButton: false,
      // The download button links to the document as served, not to a copy made in the page.
      downloadDefinitionUrl: '/openapi.json',
      downloadFileName: 'openapi.json',
      expandResponses: '200,201,202',
      pathInMiddlePanel: true,
      nativeScrollbars: true,
      requiredPropsFirst: true,
      jsonSampleExpandLevel: 3,
      // The portal's colours and fonts; every text passes WCAG AA contrast (checked with axe).
      theme: {
        colors: { primary: { main: '#1a56c9' } },
        typography: {
          fontFamily: font,
          headings: { fontFamily: font },
          code: { fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'Liberation Mono', monospace" },
        },
      },
    },
    root,
  );
})();
