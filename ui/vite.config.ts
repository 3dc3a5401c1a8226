import { defineConfig } from "vite";

// The same policy as app.security.csp in src-tauri/tauri.conf.json, minus the
// IPC sources, so that pages served by `vite preview` hit the same CSP violations
// as the window.
const contentSecurityPolicy =
  "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'";

export default defineConfig({
  // Tauri serves the bundle from its own origin, so asset URLs must be relative.
  base: "./",
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
  },
  preview: {
    headers: { "Content-Security-Policy": contentSecurityPolicy },
  },
});
