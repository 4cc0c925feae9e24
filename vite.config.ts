// Builds the renderer (src-renderer) into dist/renderer. `base: './'` keeps every asset
// URL relative, so the same build loads from Electron's custom protocol and from the
// CLI's http://127.0.0.1 UI server.

import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin, type ProxyOptions } from 'vite';

/**
 * The dev server injects inline scripts (React refresh) and <style> tags for hot reload,
 * which the production CSP forbids; relax it for `vite` (serve) only, never for builds.
 */
function relaxCspForDevServer(): Plugin {
  return {
    name: 'shoal-relax-csp-for-dev',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace(
        /<meta\s+http-equiv="Content-Security-Policy"[^>]*>/,
        `<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self' blob: shoal-media:; connect-src 'self' ws: http://127.0.0.1:* shoal-media:; worker-src 'self' blob:">`,
      );
    },
  };
}

/**
 * `SHOAL_UI_URL=<the page URL the shoal command printed> npm run dev:renderer` develops the
 * UI against a running engine: its RPC socket and media are proxied with the engine's
 * origin and token, so open the dev server with the same token (`/?token=...`).
 */
function engineProxy(): Record<string, ProxyOptions> | undefined {
  const printed = process.env['SHOAL_UI_URL'];
  if (!printed) return undefined;
  const url = new URL(printed);
  const headers = {
    origin: url.origin, // the UI server only accepts sockets from its own origin
    cookie: `shoal_token=${url.searchParams.get('token') ?? ''}`, // media needs the token
  };
  // changeOrigin: the UI server answers only to its own host and port (DNS rebinding).
  return {
    '/api': { target: url.origin, ws: true, changeOrigin: true, headers },
    '/media': { target: url.origin, changeOrigin: true, headers },
  };
}

export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [react(), relaxCspForDevServer()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    // One entry, no code splitting needed; keep the warning meaningful for our size.
    chunkSizeWarningLimit: 1500,
  },
  server: { host: '127.0.0.1', proxy: engineProxy() },
});
