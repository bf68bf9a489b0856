import { createHash } from "node:crypto";
import type { NightjarDb } from "../db/connect.ts";
import type { FieldCheck } from "./field-checks.ts";

/**
 * Row fingerprints: a 128-bit hash of each customer line exactly as it was in the snapshot file
 * (contact key included). A customer stores the fingerprint of the line that last set it, so the
 * next day's import can tell, while reading the file, which lines are unchanged and leave them out
 * of staging: the database then compares only the few lines that differ.
 *
 * A fingerprint means "the same bytes" only under the same file layout (header, delimiter, value
 * checks, time zone); that layout is the fingerprint basis, recorded with each import. When it
 * changes, the next import stages and compares every line, and refreshes the fingerprints.
 */

/** Bump when the way lines are fingerprinted changes: older fingerprints then never match. */
const FINGERPRINT_VERSION = 1;

/** The layout under which a file's line fingerprints are comparable to another file's. */
export function fingerprintBasis(layout: {
  header: readonly string[];
  checks: readonly (FieldCheck | undefined)[];
  delimiter: string;
  timeZone: string;
}): string {
  const description = JSON.stringify({
    version: FINGERPRINT_VERSION,
    header: layout.header,
    checks: layout.checks.map((c) => (c ? [c.type, c.required ?? false] : null)),
    delimiter: layout.delimiter,
    timeZone: layout.timeZone,
  });
  return createHash("sha256").update(description).digest("hex");
}

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

function fmix(h: number): number {
  let k = h;
  k ^= k >>> 16;
  k = Math.imul(k, 0x85ebca6b);
  k ^= k >>> 13;
  k = Math.imul(k, 0xc2b2ae35);
  k ^= k >>> 16;
  return k;
}

/**
 * MurmurHash3 x86_128 of `bytes[start, end)` into `out` (four 32-bit words, h1..h4).
 * Hand-written because the import's hot loop hashes a range of a shared buffer per line without
 * allocating; the npm implementations take a whole buffer or string and allocate their result.
 * A test checks it against the reference implementation in murmurhash3js-revisited.
 */
export function murmur3x86x128(
  bytes: Uint8Array,
  start: number,
  end: number,
  seed: number,
  out: Uint32Array,
): void {
  let h1 = seed | 0;
  let h2 = seed | 0;
  let h3 = seed | 0;
  let h4 = seed | 0;
  const length = end - start;
  const blocksEnd = start + (length & ~15);
  let i = start;
  let k1: number;
  let k2: number;
  let k3: number;
  let k4: number;
  for (; i < blocksEnd; i += 16) {
    k1 = (bytes[i] as number) | ((bytes[i + 1] as number) << 8);
    k1 |= ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24);
    k2 = (bytes[i + 4] as number) | ((bytes[i + 5] as number) << 8);
    k2 |= ((bytes[i + 6] as number) << 16) | ((bytes[i + 7] as number) << 24);
    k3 = (bytes[i + 8] as number) | ((bytes[i + 9] as number) << 8);
    k3 |= ((bytes[i + 10] as number) << 16) | ((bytes[i + 11] as number) << 24);
    k4 = (bytes[i + 12] as number) | ((bytes[i + 13] as number) << 8);
    k4 |= ((bytes[i + 14] as number) << 16) | ((bytes[i + 15] as number) << 24);

    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
    h1 = (h1 << 19) | (h1 >>> 13);
    h1 = (h1 + h2) | 0;
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;

    k2 = Math.imul(k2, C2);
    k2 = (k2 << 16) | (k2 >>> 16);
    h2 ^= Math.imul(k2, C3);
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (h2 + h3) | 0;
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;

    k3 = Math.imul(k3, C3);
    k3 = (k3 << 17) | (k3 >>> 15);
    h3 ^= Math.imul(k3, C4);
    h3 = (h3 << 15) | (h3 >>> 17);
    h3 = (h3 + h4) | 0;
    h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;

    k4 = Math.imul(k4, C4);
    k4 = (k4 << 18) | (k4 >>> 14);
    h4 ^= Math.imul(k4, C1);
    h4 = (h4 << 13) | (h4 >>> 19);
    h4 = (h4 + h1) | 0;
    h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
  }

  // The tail: up to 15 bytes, little-endian into k1..k4.
  k1 = 0;
  k2 = 0;
  k3 = 0;
  k4 = 0;
  const tail = end - i;
  for (let t = tail - 1; t >= 0; t--) {
    const byte = bytes[i + t] as number;
    if (t >= 12) k4 |= byte << ((t - 12) * 8);
    else if (t >= 8) k3 |= byte << ((t - 8) * 8);
    else if (t >= 4) k2 |= byte << ((t - 4) * 8);
    else k1 |= byte << (t * 8);
  }
  if (tail > 12) {
    k4 = Math.imul(k4, C4);
    k4 = (k4 << 18) | (k4 >>> 14);
    h4 ^= Math.imul(k4, C1);
  }
  if (tail > 8) {
    k3 = Math.imul(k3, C3);
    k3 = (k3 << 17) | (k3 >>> 15);
    h3 ^= Math.imul(k3, C4);
  }
  if (tail > 4) {
    k2 = Math.imul(k2, C2);
    k2 = (k2 << 16) | (k2 >>> 16);
    h2 ^= Math.imul(k2, C3);
  }
  if (tail > 0) {
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
  }

  h1 ^= length;
  h2 ^= length;
  h3 ^= length;
  h4 ^= length;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  out[0] = h1;
  out[1] = h2;
  out[2] = h3;
  out[3] = h4;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** A fingerprint as PostgreSQL's uuid text (32 hex digits, the words big-endian in order). */
export function fingerprintText(words: ArrayLike<number>): string {
  let text = "";
  for (let w = 0; w < 4; w++) {
    const word = (words[w] as number) >>> 0;
    for (let shift = 24; shift >= 0; shift -= 8) text += HEX[(word >>> shift) & 0xff] as string;
  }
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

/**
 * The fingerprints of the customers present in the previous snapshot, in an open-addressing hash
 * table of typed arrays (about 34 bytes per customer), each claimable once by a line of the new
 * file. What is left unclaimed afterwards are the customers that changed or left.
 */
export class FingerprintSet {
  private words: Uint32Array;
  private state: Uint8Array; // 0 empty, 1 present, 2 claimed
  private mask: number;
  size = 0;
  /** How many fingerprints lines have claimed. */
  claimed = 0;

  constructor(expected: number) {
    let capacity = 1024;
    while (capacity < expected * 2) capacity *= 2;
    this.words = new Uint32Array(capacity * 4);
    this.state = new Uint8Array(capacity);
    this.mask = capacity - 1;
  }

  /** Where the fingerprint is, or the empty slot where it would go. */
  private slot(w0: number, w1: number, w2: number, w3: number): number {
    const words = this.words;
    let at = (w0 ^ Math.imul(w3, 0x9e3779b1)) & this.mask;
    for (;;) {
      if (this.state[at] === 0) return at;
      const base = at * 4;
      if (
        words[base] === w0 &&
        words[base + 1] === w1 &&
        words[base + 2] === w2 &&
        words[base + 3] === w3
      )
        return at;
      at = (at + 1) & this.mask;
    }
  }

  /** Adds a fingerprint (four unsigned 32-bit words). */
  add(w0: number, w1: number, w2: number, w3: number): void {
    // At most half full, so probes stay short.
    if ((this.size + 1) * 2 > this.state.length) this.grow();
    const at = this.slot(w0, w1, w2, w3);
    if (this.state[at] !== 0) return;
    const base = at * 4;
    this.words[base] = w0;
    this.words[base + 1] = w1;
    this.words[base + 2] = w2;
    this.words[base + 3] = w3;
    this.state[at] = 1;
    this.size++;
  }

  private grow(): void {
    const { words, state } = this;
    this.words = new Uint32Array(words.length * 2);
    this.state = new Uint8Array(state.length * 2);
    this.mask = this.state.length - 1;
    this.size = 0;
    for (let at = 0; at < state.length; at++) {
      if (state[at] === 0) continue;
      const base = at * 4;
      this.add(
        words[base] as number,
        words[base + 1] as number,
        words[base + 2] as number,
        words[base + 3] as number,
      );
    }
  }

  /** True, once, when the fingerprint is in the set: the line is unchanged since the last import. */
  claim(fingerprint: Uint32Array): boolean {
    const at = this.slot(
      fingerprint[0] as number,
      fingerprint[1] as number,
      fingerprint[2] as number,
      fingerprint[3] as number,
    );
    if (this.state[at] !== 1) return false;
    this.state[at] = 2;
    this.claimed++;
    return true;
  }

  /** The fingerprints no line claimed, as uuid text. */
  *unclaimed(): Generator<string> {
    for (let at = 0; at < this.state.length; at++) {
      if (this.state[at] === 1) yield fingerprintText(this.words.subarray(at * 4, at * 4 + 4));
    }
  }
}

/** PostgreSQL's binary COPY signature, flags and header-extension length. */
const COPY_BINARY_HEADER = 19;
/** One tuple of `copy (select uuid …) to … (format binary)`: field count, length, 16 bytes. */
const UUID_TUPLE = 2 + 4 + 16;

/** Reads the output of a binary COPY of one non-null uuid column into a FingerprintSet. */
export async function readFingerprints(
  chunks: AsyncIterable<Buffer>,
  expected: number,
): Promise<FingerprintSet> {
  const set = new FingerprintSet(expected);
  let pending: Buffer = Buffer.alloc(0);
  let headerDone = false;
  for await (const chunk of chunks) {
    let data = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    if (!headerDone) {
      if (data.length < COPY_BINARY_HEADER) {
        pending = data;
        continue;
      }
      const extension = data.readUInt32BE(15);
      data = data.subarray(COPY_BINARY_HEADER + extension);
      headerDone = true;
    }
    let at = 0;
    while (data.length - at >= UUID_TUPLE && data.readInt16BE(at) === 1) {
      if (data.readInt32BE(at + 2) !== 16)
        throw new Error("expected a binary COPY of one uuid column");
      set.add(
        data.readUInt32BE(at + 6),
        data.readUInt32BE(at + 10),
        data.readUInt32BE(at + 14),
        data.readUInt32BE(at + 18),
      );
      at += UUID_TUPLE;
    }
    pending = data.subarray(at);
  }
  return set;
}

/** The fingerprints of the customers present now, for the next snapshot to claim. */
export function loadFingerprints(db: NightjarDb, expected: number): Promise<FingerprintSet> {
  return readFingerprints(
    db.copyOut(
      (target) =>
        `copy (select row_fingerprint from customers where present and row_fingerprint is not null) to ${target} with (format binary)`,
    ),
    expected,
  );
}
