import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/**
 * Bundles a test's child program (e.g. helpers/lock-child.ts) into one ESM file, so that each of
 * its processes starts in milliseconds rather than through tsx.
 */
export async function bundleChild(entry: URL, outfile: string): Promise<void> {
  await build({
    entryPoints: [fileURLToPath(entry)],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    logLevel: "warning",
  });
}
