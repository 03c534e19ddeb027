/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  // The fixture cache holds 100,000-entry directories and deliberate symlink loops: the dev
  // server must not watch (or pre-bundle from) it, nor the Rust build output.
  server: {
    watch: { ignored: ['**/.fixtures/**', '**/wasm/target/**', '**/dist/**'] },
  },
  optimizeDeps: { entries: ['index.html'] },
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
