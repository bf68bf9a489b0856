import { defineConfig } from "vitest/config";

/** Test files that mock modules: they need a module registry of their own. */
const MOCKING = [
  "emulator/state-file.test.ts",
  "test/model-save-locks.test.ts",
  "test/server-access.test.ts",
];

export default defineConfig({
  test: {
    globalSetup: ["test/helpers/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each worker holds PGlite instances (WebAssembly PostgreSQL); two workers fit two cores.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "nightjar",
          include: ["src/**/*.test.ts", "test/**/*.test.ts", "emulator/**/*.test.ts"],
          exclude: MOCKING,
          // Files share the modules they import (loading PGlite, Fastify and the sources once per
          // worker instead of once per file); each test still gets its own database.
          isolate: false,
        },
      },
      { extends: true, test: { name: "mocking", include: MOCKING, isolate: true } },
    ],
  },
});
