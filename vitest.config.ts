import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: e2e tests spawn real processes and worker threads; keep the pool small.
    maxWorkers: 2,
    setupFiles: ["test/support/setup-env.ts"],
  },
});
