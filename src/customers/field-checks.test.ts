import { describe, expect, it } from "vitest";
import type { AttributeType } from "../config/schema.ts";
import { checkField, fieldText, TYPE_REASON } from "./field-checks.ts";

function verdict(raw: string, type: AttributeType, required = false) {
  const buffer = Buffer.from(`,${raw},`);
  return checkField(buffer, 1, buffer.length - 1, { column: "x", type, required });
}

const CASES: Record<Exclude<AttributeType, "text">, { ok: string[]; bad: string[] }> = {
  integer: {
    ok: ["0", "-12", "+7", " 42 ", '"13"', "123456789012345678"],
    bad: ["1.5", "1e3", "abc", "--1", "1234567890123456789", "1 2"],
  },
  numeric: {
    ok: ["0", "-1.25", ".5", "5.", "1e3", "2.5E-10", '"3.14"'],
    bad: ["1,5", "NaN", "Infinity", "1e", ".", "1.2.3", "1e1234"],
  },
  boolean: {
    ok: ["true", "FALSE", "t", "f", "Yes", "no", "y", "N", "1", "0"],
    bad: ["on", "maybe", "2", "truee"],
  },
  date: {
    ok: ["2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31", " 2024-01-31 "],
    bad: [
      "2023-02-29",
      "1900-02-29",
      "2024-04-31",
      "2024-13-01",
      "0000-01-01",
      "2024-1-1",
      "01/02/2024",
      "2024-01-01T00:00",
    ],
  },
  timestamp: {
    ok: [
      "2026-11-01",
      "2026-11-01 08:30",
      "2026-11-01T08:30:59",
      "2026-11-01 08:30:00.123456",
      "2026-11-01T08:30:00Z",
      "2026-11-01T08:30+02",
      "2026-11-01T08:30:00-05:30",
      "2026-11-01 08:30:00+0530",
    ],
    bad: [
      "2026-11-01 24:00",
      "2026-11-01 08:60",
      "2026-11-01T08:30:00+16:00",
      "2026-11-01T08",
      "2026-11-01Z",
      "now",
      "2026-02-30 10:00",
      "2026-11-01 08:30:00.1234567",
    ],
  },
};

describe("field checks", () => {
  for (const [type, { ok, bad }] of Object.entries(CASES) as [
    Exclude<AttributeType, "text">,
    { ok: string[]; bad: string[] },
  ][]) {
    it(`accepts and refuses ${type} values`, () => {
      expect(ok.map((raw) => [raw, verdict(raw, type)])).toEqual(ok.map((raw) => [raw, "ok"]));
      expect(bad.map((raw) => [raw, verdict(raw, type)])).toEqual(
        bad.map((raw) => [raw, TYPE_REASON[type]]),
      );
    });
  }

  it("treats empty, blank and quoted-empty values as blank, or missing when required", () => {
    for (const raw of ["", "   ", '""', '"  "']) {
      expect(verdict(raw, "date")).toBe("blank");
      expect(verdict(raw, "date", true)).toBe("required value is missing");
    }
    expect(verdict('""', "text")).toBe("blank");
    expect(verdict("anything at all", "text")).toBe("ok");
    const buffer = Buffer.from("  ");
    expect(
      checkField(buffer, 0, 2, {
        column: "k",
        type: "text",
        required: true,
        missingReason: "contact key is empty",
      }),
    ).toBe("contact key is empty");
  });

  it("gives a field's value as PostgreSQL reads it", () => {
    const buffer = Buffer.from('"say ""hi"""');
    expect(fieldText(buffer, 0, buffer.length)).toBe('say "hi"');
  });
});
