/** A growable byte buffer for one output chunk. */
export class ChunkWriter {
  private buffer: Buffer;
  length = 0;

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(capacity + 64 * 1024);
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + extra));
    bigger.set(this.buffer.subarray(0, this.length));
    this.buffer = bigger;
  }

  writeByte(byte: number): void {
    this.ensure(1);
    this.buffer[this.length++] = byte;
  }

  /** Writes a non-negative integer in decimal. */
  writeNumber(n: number): void {
    this.ensure(16);
    let digits = 1;
    for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let at = this.length + digits;
    let rest = n;
    do {
      this.buffer[--at] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
    this.length += digits;
  }

  /** Writes a 32-bit word as 8 lowercase hex digits. */
  writeHex32(word: number): void {
    this.ensure(8);
    const target = this.buffer;
    for (let shift = 28; shift >= 0; shift -= 4) {
      const digit = (word >>> shift) & 0xf;
      target[this.length++] = digit < 10 ? 0x30 + digit : 0x57 + digit;
    }
  }

  writeText(text: string): void {
    this.ensure(text.length * 3);
    this.length += this.buffer.write(text, this.length);
  }

  /** Copies `source[start, end)`; short ranges byte by byte (cheaper than a native call). */
  writeRange(source: Buffer, start: number, end: number): void {
    const size = end - start;
    this.ensure(size);
    if (size > 256) {
      this.buffer.set(source.subarray(start, end), this.length);
    } else {
      const target = this.buffer;
      let at = this.length;
      for (let i = start; i < end; i++) target[at++] = source[i] as number;
    }
    this.length += size;
  }

  take(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}
