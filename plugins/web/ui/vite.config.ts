import { defineConfig } from 'vite';

// Built by the web plugin's build (web.csproj) into dist/, which is embedded in the plugin's assembly.
// JSX goes to Preact through tsconfig's jsxImportSource: no framework plugin is needed.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 200,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:7395' } },
});
