/**
 * Where a JSON document is broken: `JSON.parse` names the position in some messages ("… at
 * position 7") and, in others, only quotes the text around the bad token ("Unexpected token '}',
 * ..."x": }" is not valid JSON", up to 10 characters either side); both are turned into a line
 * and a column.
 */

const CONTEXT = 10;

/** Whether the parser gets through `prefix` without meeting an error before its end. */
function readsThrough(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (error) {
    return /Unexpected end of JSON input/.test((error as Error).message);
  }
}

function position(text: string, message: string): number | undefined {
  const stated = /at position (\d+)/.exec(message)?.[1];
  if (stated !== undefined) return Number(stated);
  if (/Unexpected end of JSON input/.test(message)) return text.length;
  const quoted = /^Unexpected token '(.)', (\.\.\.)?"([\s\S]*)"(\.\.\.)? is not valid JSON$/.exec(
    message,
  );
  if (!quoted) return undefined;
  const [, token, cutBefore, context = ""] = quoted;
  // The quote starts CONTEXT characters before the bad token, or at the start of the text.
  const start = cutBefore ? text.indexOf(context) : 0;
  if (start < 0) return undefined;
  if (cutBefore) return start + CONTEXT;
  // Near the start the token may occur more than once: the parser met the last one it could
  // reach, the one whose every earlier character it read through.
  let at: number | undefined;
  for (let i = 0; i < Math.min(text.length, CONTEXT + 1); i++)
    if (text[i] === token && readsThrough(text.slice(0, i))) at = i;
  return at;
}

/** "line L, column C: reason" for a JSON.parse error of `text` (the reason alone when unknown). */
export function jsonErrorLocation(text: string, error: Error): string {
  const reason = error.message
    .replace(/ in JSON at position \d+.*/, "")
    .replace(/, "[\s\S]*" is not valid JSON$/, "");
  const at = position(text, error.message);
  if (at === undefined) return reason;
  const before = text.slice(0, at);
  const line = before.split("\n").length;
  const column = at - before.lastIndexOf("\n");
  return `line ${line}, column ${column}: ${reason}`;
}
