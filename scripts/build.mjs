// Bundles the CLI into dist/cli.js so that `nightjar` starts in a fraction of the time the
// TypeScript loader needs. bin/nightjar.js uses the bundle only while it is newer than src/.
import { cp, mkdir, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
await rm(`${root}dist`, { recursive: true, force: true });
await mkdir(`${root}dist`, { recursive: true });
await build({
  entryPoints: [`${root}src/cli/main.ts`],
  outfile: `${root}dist/cli.js`,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  minify: true,
  // PGlite loads its WebAssembly and data files next to its own module; pg-native is optional;
  // @node-rs/argon2 loads its native binary, Swagger UI serves the files beside its own module.
  external: ["@electric-sql/pglite", "pg-native", "@node-rs/argon2", "@fastify/swagger-ui"],
  // pg and other CommonJS dependencies call require() for Node's built-in modules.
  banner: {
    js: "import { createRequire as __nightjarRequire } from 'node:module'; const require = __nightjarRequire(import.meta.url);",
  },
  logLevel: "warning",
});
await cp(`${root}src/db/migrations`, `${root}dist/migrations`, { recursive: true });
// The web app, served by `nightjar serve` at `/` (web/vite.config.ts writes it to dist/web).
const { build: buildWeb } = await import("vite");
await buildWeb({ configFile: `${root}web/vite.config.ts`, logLevel: "warn" });
