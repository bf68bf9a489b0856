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

/** Header problems (all reported on line 1): unnamed, repeated, unknown and missing columns. */
export function headerProblems(header: readonly string[], rules: HeaderRules): ImportProblem[] {
  const problems: ImportProblem[] = [];
  const seen = new Set<string>();
  const allowed = new Set(rules.allowed);
  header.forEach((name, index) => {
    const position = `column ${index + 1}`;
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
        column: name,
        value: name,
        reason: "this column appears twice in the header",
      });
    } else if (!allowed.has(name)) {
      problems.push({
        line: 1,
        column: name,
        value: name,
        reason: `unknown column: not ${rules.allowedLabel} (${rules.allowed.join(", ")})`,
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
        reason: "required column is missing from the header",
      });
    }
  }
  return problems;
}
