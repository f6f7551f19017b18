import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    // In `pnpm dev` the API runs on PORT (default 8080); the console proxies /api to it.
    proxy: { '/api': `http://127.0.0.1:${process.env.PORT ?? '8080'}` },
  },
  build: { outDir: 'dist', emptyOutDir: true },
});
