import { BYTE } from "./bytes.ts";
import { fieldText } from "./field-checks.ts";

const { QUOTE } = BYTE;

/**
 * 53-bit hashes of a column's values with their line numbers, kept in typed arrays (12 bytes a
 * record) so that repeated values can be found by one native sort instead of a SQL aggregate.
 */
export class KeyHashes {
  private hashes = new Float64Array(1 << 16);
  private lines = new Uint32Array(1 << 16);
  /** 1 where the line was left out of staging (unchanged since the last import). */
  private skipped = new Uint8Array(1 << 16);
  private count = 0;

  add(buffer: Buffer, start: number, end: number, line: number, skipped: boolean): void {
    let bytes = buffer;
    let s = start;
    let e = end;
    for (let i = s; i < e; i++) {
      if (buffer[i] === QUOTE) {
        // Hash the value as PostgreSQL will store it, quotes resolved.
        bytes = Buffer.from(fieldText(buffer, start, end));
        s = 0;
        e = bytes.length;
        break;
      }
    }
    let blank = true;
    let h1 = 0x811c9dc5;
    let h2 = 0x12345;
    for (let i = s; i < e; i++) {
      const byte = bytes[i] as number;
      if (byte !== 0x20 && byte !== 0x09) blank = false;
      h1 = Math.imul(h1 ^ byte, 0x01000193);
      h2 = Math.imul(h2 + byte, 0x5bd1e995) ^ (h2 >>> 13);
    }
    if (blank) return; // an empty key is reported as such, not as a duplicate
    if (this.count === this.hashes.length) this.grow();
    this.hashes[this.count] = (h1 >>> 0) * 2097152 + ((h2 >>> 0) & 0x1fffff);
    this.lines[this.count] = line;
    this.skipped[this.count] = skipped ? 1 : 0;
    this.count++;
  }

  private grow(): void {
    const hashes = new Float64Array(this.hashes.length * 2);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const lines = new Uint32Array(this.lines.length * 2);
    lines.set(this.lines);
    this.lines = lines;
    const skipped = new Uint8Array(this.skipped.length * 2);
    skipped.set(this.skipped);
    this.skipped = skipped;
  }

  /**
   * Lines whose value's hash occurs more than once: the staged ones, and how many were left out
   * of staging (those can only be compared after staging the whole file).
   */
  candidateLines(): { staged: number[]; skipped: number } {
    const sorted = this.hashes.slice(0, this.count).sort();
    const repeated = new Set<number>();
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i] === sorted[i - 1]) repeated.add(sorted[i] as number);
    }
    const staged: number[] = [];
    let skipped = 0;
    if (repeated.size === 0) return { staged, skipped };
    for (let i = 0; i < this.count; i++) {
      if (!repeated.has(this.hashes[i] as number)) continue;
      if (this.skipped[i]) skipped++;
      else staged.push(this.lines[i] as number);
    }
    return { staged, skipped };
  }
}
