/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The API base URL is fixed at build time (VITE_API_BASE_URL); empty means "same origin", which
// is how the API serves the built app at `/`. In development, `npm run dev` proxies /v1 to a local
// API (PORTAL_API, default http://127.0.0.1:8080).
const api = process.env.PORTAL_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: { '/v1': { target: api, changeOrigin: false } },
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
