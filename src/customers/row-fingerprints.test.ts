import { randomBytes } from "node:crypto";
import murmur from "murmurhash3js-revisited";
import { describe, expect, it } from "vitest";
import {
  FingerprintSet,
  fingerprintText,
  murmur3x86x128,
  readFingerprints,
} from "./row-fingerprints.ts";

describe("row fingerprints", () => {
  it("is MurmurHash3 x86_128, for every tail length and on a range of a larger buffer", () => {
    const words = new Uint32Array(4);
    for (let length = 0; length <= 80; length++) {
      const bytes = randomBytes(length + 10);
      murmur3x86x128(bytes, 5, 5 + length, 0, words);
      const reference = murmur.x86.hash128(new Uint8Array(bytes.subarray(5, 5 + length)), 0);
      expect(fingerprintText(words).replaceAll("-", ""), `length ${length}`).toBe(reference);
    }
  });

  it("lets each fingerprint be claimed once, and lists the unclaimed ones", () => {
    const set = new FingerprintSet(2);
    const prints = Array.from(
      { length: 5000 },
      (_, i) => new Uint32Array([i, i * 7, 3, 0xffffffff]),
    );
    for (const print of prints) set.add(print[0] as number, print[1] as number, 3, 0xffffffff);
    expect(set.size).toBe(5000);
    expect(set.claim(prints[10] as Uint32Array)).toBe(true);
    expect(set.claim(prints[10] as Uint32Array)).toBe(false);
    expect(set.claim(new Uint32Array([1, 2, 3, 4]))).toBe(false);
    for (let i = 0; i < 4998; i++) if (i !== 10) set.claim(prints[i] as Uint32Array);
    expect([...set.unclaimed()].sort()).toEqual(
      [prints[4998], prints[4999]].map((p) => fingerprintText(p as Uint32Array)).sort(),
    );
  });

  it("reads a binary COPY of a uuid column, split anywhere", async () => {
    const uuids = Array.from({ length: 50 }, () => randomBytes(16));
    const header = Buffer.concat([Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), Buffer.alloc(8)]);
    const tuples = uuids.map((uuid) => {
      const tuple = Buffer.alloc(6);
      tuple.writeInt16BE(1, 0);
      tuple.writeInt32BE(16, 2);
      return Buffer.concat([tuple, uuid]);
    });
    const trailer = Buffer.from([0xff, 0xff]);
    const all = Buffer.concat([header, ...tuples, trailer]);
    async function* chunks() {
      for (let at = 0; at < all.length; at += 7) yield all.subarray(at, at + 7);
    }
    const set = await readFingerprints(chunks(), 10);
    expect(set.size).toBe(50);
    const hex = (uuid: Buffer) => uuid.toString("hex");
    const words = (uuid: Buffer) =>
      new Uint32Array([0, 4, 8, 12].map((offset) => uuid.readUInt32BE(offset)));
    expect(set.claim(words(uuids[17] as Buffer))).toBe(true);
    expect([...set.unclaimed()].map((t) => t.replaceAll("-", ""))).not.toContain(
      hex(uuids[17] as Buffer),
    );
    expect([...set.unclaimed()]).toHaveLength(49);
  });
});
