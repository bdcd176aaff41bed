import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    setupFiles: ['test/setup/own-state-dir.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real servers and processes: two workers match this machine's two cores.
    maxWorkers: 2,
    reporters: ['default'],
    // Colour is meaning in opsdeck: UI tests assert it, so chalk must emit it even without a TTY.
    env: { FORCE_COLOR: '1' },
  },
});
