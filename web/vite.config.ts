/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// The API base URL is fixed at build time (VITE_API_BASE_URL); empty means "same origin", which
// is how the API serves the built app at `/`. In development, `npm run dev` proxies /v1 and
// /openapi.json (read by the API reference at /docs) to a local API (PORTAL_API, default
// http://127.0.0.1:8080).
const api = process.env.PORTAL_API ?? 'http://127.0.0.1:8080';

const require = createRequire(import.meta.url);

// The API reference at /docs is Redoc (public/docs/index.html and docs.js). Its standalone bundle
// is not bundled with the app: it is copied from node_modules/redoc (pinned in package.json) to
// dist/docs/, with its licence texts, so the page works offline and never loads from a CDN.
const redocFiles = {
  'docs/redoc.standalone.js': 'redoc/bundles/redoc.standalone.js',
  // The bundle's banner points to this file for the licences of what it contains.
  'docs/redoc.standalone.js.LICENSE.txt': 'redoc/bundles/redoc.standalone.js.LICENSE.txt',
  'docs/redoc.LICENSE.txt': 'redoc/LICENSE',
};

// The one change to the bundle: its side menu shows a logo loaded from Redocly's CDN (no option
// turns it off). That image is left out; the "API docs by Redocly" link stays. The build fails if
// the expected code is not there exactly once (a Redoc update must be looked at again).
const redocLogo = 'n.createElement("img",{alt:"redocly logo",onError:()=>t(!1),src:"https://cdn.redoc.ly/redoc/logo-mini.svg"})';

function redocFile(fileName: keyof typeof redocFiles): Buffer | string {
  const source = readFileSync(require.resolve(redocFiles[fileName]));
  if (fileName !== 'docs/redoc.standalone.js') return source;
  const parts = source.toString('utf8').split(redocLogo);
  if (parts.length !== 2) throw new Error(`${redocFiles[fileName]}: the Redocly CDN logo was not found exactly once`);
  const patched = parts.join('null');
  if (/https?:\/\/cdn\./.test(patched)) throw new Error(`${redocFiles[fileName]}: still refers to a CDN`);
  return patched;
}

function redoc(): Plugin {
  return {
    name: 'portal:redoc',
    // `npm run dev`: the same files at the same URLs.
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const fileName = (req.url ?? '').split('?')[0]!.slice(1);
        // The page itself (public/docs/index.html), not the app's index.html.
        if (fileName === 'docs' || fileName === 'docs/') req.url = '/docs/index.html';
        if (!(fileName in redocFiles)) return next();
        res.setHeader('Content-Type', fileName.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/plain; charset=utf-8');
        res.end(redocFile(fileName as keyof typeof redocFiles));
      });
    },
    generateBundle() {
      for (const fileName of Object.keys(redocFiles) as (keyof typeof redocFiles)[]) {
        this.emitFile({ type: 'asset', fileName, source: redocFile(fileName) });
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), redoc()],
  server: {
    proxy: {
      '/v1': { target: api, changeOrigin: false },
      '/openapi.json': { target: api, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    // No inline scripts or styles: the API serves the app under a strict Content-Security-Policy.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 600,
  },
  worker: { format: 'es' },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
