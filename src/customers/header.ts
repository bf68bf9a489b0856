import { cutValue } from "./csv-format.ts";
import type { ImportProblem } from "./import-report.ts";

/** What a file's header must and may contain. */
export interface HeaderRules {
  /** Columns every file must have. */
  required: readonly string[];
  /** Every column a file may have (required ones included). */
  allowed: readonly string[];
  /** Explains what the allowed columns are, for the unknown-column message. */
  allowedLabel: string;
}

/** How the header was written: its names as in the file, and the delimiter it was split on. */
export interface HeaderLayout {
  written: readonly string[];
  delimiter: string;
}

/** Delimiters exports commonly use, and how to name them on a command line. */
const LIKELY_DELIMITERS: [string, string][] = [
  [";", '";"'],
  ["\t", "tab"],
  ["|", '"|"'],
  [",", '","'],
];

/**
 * When the header reads as one column that holds another common delimiter, the file was most
 * likely written with that one: say which `--delimiter` to use.
 */
function delimiterHint(layout: HeaderLayout | undefined): string {
  if (layout?.written.length !== 1) return "";
  const only = layout.written[0] ?? "";
  for (const [delimiter, option] of LIKELY_DELIMITERS) {
    if (delimiter !== layout.delimiter && only.includes(delimiter))
      return ` — the header holds ${delimiter === "\t" ? "tabs" : `"${delimiter}"`} but the delimiter in use is ${JSON.stringify(layout.delimiter)}: try --delimiter ${option}`;
  }
  return "";
}

/** Header problems (all reported on line 1): unnamed, repeated, unknown and missing columns. */
export function headerProblems(
  header: readonly string[],
  rules: HeaderRules,
  layout?: HeaderLayout,
): ImportProblem[] {
  const problems: ImportProblem[] = [];
  const seen = new Set<string>();
  const allowed = new Set(rules.allowed);
  const hint = delimiterHint(layout);
  header.forEach((name, index) => {
    const position = `column ${index + 1}`;
    // Named as the file writes it, so that the operator finds it.
    const written = cutValue(layout?.written[index] ?? name);
    if (name === "") {
      problems.push({
        line: 1,
        column: position,
        value: null,
        reason: "the header names no column here",
      });
    } else if (seen.has(name)) {
      problems.push({
        line: 1,
        column: written,
        value: written,
        reason: "this column appears twice in the header",
      });
    } else if (!allowed.has(name)) {
      problems.push({
        line: 1,
        column: written,
        value: written,
        reason: `unknown column: not ${rules.allowedLabel} (${rules.allowed.join(", ")})${hint}`,
      });
    }
    seen.add(name);
  });
  for (const name of rules.required) {
    if (!seen.has(name)) {
      problems.push({
        line: 1,
        column: name,
        value: null,
        reason: `required column is missing from the header${hint}`,
      });
    }
  }
  return problems;
}
