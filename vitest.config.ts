import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "emulator/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each worker holds PGlite instances (WebAssembly PostgreSQL); two workers fit two cores.
    maxWorkers: 2,
  },
});
