/** The bytes the CSV reader and the value checks look for. */
export const BYTE = {
  NUL: 0x00,
  TAB: 0x09,
  LF: 0x0a,
  CR: 0x0d,
  SPACE: 0x20,
  QUOTE: 0x22,
  PLUS: 0x2b,
  MINUS: 0x2d,
  DOT: 0x2e,
  ZERO: 0x30,
  COLON: 0x3a,
} as const;
