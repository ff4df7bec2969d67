import { defineConfig } from '@playwright/test';

// The browser tests drive the machine's Chromium (Debian's package: nothing
// here downloads a browser) against a running console: CONSOLE_URL, which
// e2e/console_test.go sets to the stack it starts on free ports, or make
// dev's for the screenshots.
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  // The bell polls every few seconds, and a command runs a Temporal workflow
  // on a busy two-core machine: what a person would wait for, not a race.
  expect: { timeout: 20_000 },
  fullyParallel: true,
  workers: Number(process.env.BROWSER_WORKERS || 2),
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: process.env.CONSOLE_URL || 'http://localhost:3000',
    locale: 'en-GB',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    actionTimeout: 20_000,
    navigationTimeout: 30_000,
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'journeys', testMatch: /journeys\/.*\.spec\.ts$/ },
    { name: 'screenshots', testMatch: /screenshots\.spec\.ts$/, fullyParallel: false },
    // The identity provider's sign-in, against a console outside development
    // mode and a local provider (e2e/console_oidc_test.go starts both).
    { name: 'oidc', testMatch: /oidc\/.*\.spec\.ts$/ },
  ],
});
