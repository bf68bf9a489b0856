import { expect, it } from "vitest";
import { jsonErrorLocation } from "./json-errors.ts";

const where = (text: string) => {
  try {
    JSON.parse(text);
  } catch (error) {
    return jsonErrorLocation(text, error as Error);
  }
  throw new Error("parsed");
};

it("names the line and column of a broken JSON document, whatever the message's form", () => {
  expect(where('{"name": "x",\n "rule": }')).toMatch(/^line 2, column 10: Unexpected token '}'/);
  expect(where('{"a": 1,}')).toMatch(/^line 1, column 9: /);
  expect(where('{\n  "a": ')).toMatch(/^line 2, column 8: Unexpected end of JSON input/);
  const long = `{"first": "${"x".repeat(40)}",\n  "second": [1, 2,, 3]}`;
  expect(where(long)).toMatch(/^line 2, column 19: /);
  // Near the start, where the bad token also occurs earlier.
  expect(where("[1, 2,, 3]")).toMatch(/^line 1, column 7: Unexpected token ','$/);
  expect(where('{"a": tru}')).toMatch(/^line 1, column 10: /);
});
