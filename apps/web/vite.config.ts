import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';

/** The running web BFF that `npm run dev -w apps/web` sends API calls to; default `npm start`'s. */
const BFF_URL = process.env.MERIDIAN_WEB_BFF_URL ?? 'http://127.0.0.1:4000';
const DEV_PORT = Number(process.env.MERIDIAN_WEB_DEV_PORT ?? 5173);
const DEV_ORIGINS = new Set([`http://localhost:${DEV_PORT}`, `http://127.0.0.1:${DEV_PORT}`]);

/**
 * A proxy to the BFF for the dev server. The page's origin is the dev server, so
 * the BFF's CSRF check would refuse it: a request from the dev server's own page
 * is sent on as if from the BFF's origin, which is where the built app lives.
 * Any other origin passes through unchanged and is refused as before.
 */
function toBff(): ProxyOptions {
  return {
    target: BFF_URL,
    changeOrigin: true,
    configure(proxy) {
      proxy.on('proxyReq', (proxyReq, req) => {
        const origin = req.headers.origin;
        if (typeof origin === 'string' && DEV_ORIGINS.has(origin)) proxyReq.setHeader('origin', new URL(BFF_URL).origin);
      });
    },
  };
}

export default defineConfig({
  plugins: [react()],
  server: {
    port: DEV_PORT,
    strictPort: true,
    proxy: { '/graphql': toBff(), '/auth': toBff(), '/uploads': toBff(), '/exports': toBff(), '/kyc/documents': toBff() },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // Read by the initial-bundle budget test: which files index.html loads, and what they import.
    manifest: true,
    target: 'es2022',
    // Vite warns past 500 kB of raw JavaScript per chunk; the budget that matters is the gzipped one
    // apps/web/test/initial-bundle.test.ts enforces (250 KB for the initial load).
    chunkSizeWarningLimit: 700,
  },
});
