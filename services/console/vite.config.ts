import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// `npm run dev` serves the app with hot reload and sends the API, the
// configuration and development sign-in to a running console server
// (make dev's, on :3000 unless CONSOLE_URL says otherwise).
const consoleURL = process.env.CONSOLE_URL ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/v1': consoleURL,
      '/dev': consoleURL,
      '/config.json': consoleURL,
    },
  },
  build: {
    // The report of the bundle's size is part of what a build prints.
    reportCompressedSize: true,
    sourcemap: true,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
