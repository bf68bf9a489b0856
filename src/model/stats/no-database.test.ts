import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The statistics room is pure: fits and formulas that can be run, tested and reused without a
 * database, a config file or the application context. This test reads the imports of every
 * non-test file here (with TypeScript's own parser, so multi-line, `export … from`, `import()` and
 * `require()` are all seen, and commented-out code is not) and allows only:
 *
 * - files inside src/model/stats/;
 * - src/errors.ts: ModelInputError extends NightjarError, so that callers map it like any error;
 * - src/config/schema.ts, type-only: a function may take the settings' type, never the zod schema
 *   (which would bring validation, defaults and zod into the statistics);
 * - the @stdlib/math-base-* packages: pure numeric special functions (log-gamma, digamma).
 *
 * Everything else is refused; the database (src/db, kysely, pg, pg-copy-streams, PGlite) and the
 * application context (src/app.ts) are named in the message, being what this room must never reach.
 */
const STATS = path.dirname(fileURLToPath(import.meta.url));
const SRC = path.resolve(STATS, "..", "..");

const DATABASE_PACKAGES = ["kysely", "pg", "pg-copy-streams", "@electric-sql/pglite"];
const MATH_PACKAGE_PREFIX = "@stdlib/math-base-";
const ERRORS = path.join(SRC, "errors.ts");
const CONFIG_SCHEMA = path.join(SRC, "config", "schema.ts");

interface Import {
  specifier: string;
  /** Only types are imported (erased at runtime). */
  typeOnly: boolean;
}

/** Every module a source file imports or re-exports, statically or dynamically. */
function importsOf(fileName: string, text: string): Import[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const namedTypesOnly =
        clause?.name === undefined &&
        clause?.namedBindings !== undefined &&
        ts.isNamedImports(clause.namedBindings) &&
        clause.namedBindings.elements.length > 0 &&
        clause.namedBindings.elements.every((e) => e.isTypeOnly);
      found.push({
        specifier: node.moduleSpecifier.text,
        typeOnly: clause?.isTypeOnly === true || namedTypesOnly,
      });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push({ specifier: node.moduleReference.expression.text, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node)) {
      const [first] = node.arguments;
      const dynamic =
        node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require");
      if (dynamic && first && ts.isStringLiteralLike(first))
        found.push({ specifier: first.text, typeOnly: false });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function isPackage(specifier: string, name: string): boolean {
  return specifier === name || specifier.startsWith(`${name}/`);
}

/** Why `file` (an absolute path under src/model/stats/) may not import `imported`; null if it may. */
function refusal(file: string, imported: Import): string | null {
  const { specifier } = imported;
  if (specifier.startsWith(".") || specifier.startsWith("/")) {
    const target = path.resolve(path.dirname(file), specifier);
    const shown = path.relative(SRC, target);
    const db = path.join(SRC, "db");
    if (
      target === path.join(SRC, "app.ts") ||
      target === db ||
      target.startsWith(`${db}${path.sep}`)
    )
      return `${specifier}: src/${shown} is the database or the application context`;
    if (target.startsWith(`${STATS}${path.sep}`) || target === ERRORS) return null;
    if (target === CONFIG_SCHEMA)
      return imported.typeOnly
        ? null
        : `${specifier}: the config schema may be imported for types only`;
    return `${specifier}: src/${shown} is outside the statistics room and not on the allow-list`;
  }
  if (DATABASE_PACKAGES.some((name) => isPackage(specifier, name)))
    return `${specifier}: a database package`;
  if (specifier.startsWith(MATH_PACKAGE_PREFIX)) return null;
  return `${specifier}: a package that is not on the allow-list (only ${MATH_PACKAGE_PREFIX}*)`;
}

/** The refused imports of one file, as "file: reason" lines. */
function problemsOf(file: string, text: string): string[] {
  return importsOf(file, text)
    .map((imported) => refusal(file, imported))
    .filter((reason) => reason !== null)
    .map((reason) => `src/${path.relative(SRC, file)}: ${reason}`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [full] : [];
  });
}

describe("src/model/stats/", () => {
  it("imports no database, no application context, only its allow-list", () => {
    const files = sourceFiles(STATS);
    expect(files.map((f) => path.basename(f))).toContain("bgnbd.ts");
    const problems = files.flatMap((file) => problemsOf(file, readFileSync(file, "utf8")));
    expect(problems).toEqual([]);
  });

  it("would refuse a database import however it is written", () => {
    const bgnbd = path.join(STATS, "bgnbd.ts");
    const refused = [
      'import { sql } from "kysely";',
      'import type { Db } from "../../db/connect.ts";',
      'export { sql } from "kysely";',
      "import pg from 'pg';",
      'import {\n  PGlite,\n} from "@electric-sql/pglite";',
      'const copy = await import("pg-copy-streams");',
      'import type { App } from "../../app.ts";',
      'import { ModelSettings } from "../../config/schema.ts";',
      'import { stopwatch } from "../../clock.ts";',
      'import { kmeans } from "ml-kmeans";',
      'import { readFileSync } from "node:fs";',
    ];
    for (const line of refused) expect(problemsOf(bgnbd, line), line).toHaveLength(1);
    const allowed = [
      'import { minimizeBfgs } from "./optimize.ts";',
      'import { NightjarError } from "../../errors.ts";',
      'import type { ModelSettings } from "../../config/schema.ts";',
      'import { type ModelSettings } from "../../config/schema.ts";',
      'import gammaln from "@stdlib/math-base-special-gammaln";',
      '// import { sql } from "kysely";',
    ];
    for (const line of allowed) expect(problemsOf(bgnbd, line), line).toEqual([]);
  });
});
