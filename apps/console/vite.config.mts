// The console is a static single-page app served by the API under /console (same origin,
// strict CSP: nothing inline). `npm run console:build` writes dist/apps/console;
// `npm run console:dev` serves it with the API proxied to http://localhost:3000.
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = import.meta.dirname;
const api = process.env['ATTEST_API_URL'] ?? 'http://localhost:3000';

export default defineConfig({
  root: here,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: resolve(here, '../../dist/apps/console'),
    emptyOutDir: true,
    // No inline <script>: the polyfill would be inlined into index.html.
    modulePreload: { polyfill: false },
    // No data: URLs for fonts or images; every asset is a file under /console/assets.
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    port: 4200,
    strictPort: true,
    proxy: {
      '/v1': { target: api, changeOrigin: false },
      '/console/auth': { target: api, changeOrigin: false },
    },
  },
  preview: { port: 4300 },
});
