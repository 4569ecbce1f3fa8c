import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The web workbench: built into dist/web (served by the API), or served with hot reload by `npm run dev:web`. */
export default defineConfig({
  root,
  plugins: [vue()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    port: Number(process.env.WEB_DEV_PORT ?? 5173),
    // The API of a running platform (`npm start`); override with YIDI_API.
    proxy: { '/api': process.env.YIDI_API ?? 'http://127.0.0.1:3000' },
  },
});
