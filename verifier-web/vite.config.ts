import { defineConfig } from 'vite';

// Paths the page calls on the gateway. `vite` and `vite preview` proxy them to GATEWAY_URL so the
// app can run on its own origin without the gateway having to allow cross-origin requests.
const API_PATHS = [
  '/credentials',
  '/presentations',
  '/organizations',
  '/verification-requests',
  '/verification-receipts',
  '/audit',
  '/inspections',
  '/ledger',
  '/health',
  '/registry',
  '/contexts',
  '/session',
  '/shares',
  '/dimension-sets',
];
const target = process.env['GATEWAY_URL'] ?? 'http://127.0.0.1:8080';
const proxy = Object.fromEntries(API_PATHS.map((path) => [path, { target, changeOrigin: true }]));

export default defineConfig({
  // The gateway serves the build at /verify; VERIFIER_BASE lets it live elsewhere.
  base: process.env['VERIFIER_BASE'] ?? '/verify/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: { proxy },
  preview: { proxy },
});
