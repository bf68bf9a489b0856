import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { pipeline, type Readable, Transform } from "node:stream";
import { createGunzip } from "node:zlib";
import { NightjarError } from "../errors.ts";

/** The import file cannot be opened or decompressed. */
export class SourceFileError extends NightjarError {
  override name = "SourceFileError";
}

const READ_CHUNK = 1024 * 1024;

/** An import file opened for one streaming pass: bytes read so far and its sha256 once read. */
export interface SourceFile {
  path: string;
  /** Size on disk (compressed size for .gz). */
  size: number;
  compressed: boolean;
  /** Bytes of the file on disk read so far, for progress. */
  bytesRead(): number;
  /** The decompressed content, in chunks. */
  chunks: AsyncIterator<Buffer>;
  /** Hex sha256 of the file on disk; complete once `chunks` is exhausted. */
  sha256(): string;
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** A file system error in words, with its code. */
function fileProblem(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOENT: "no such file",
    EACCES: "permission denied",
    EPERM: "permission denied",
    EISDIR: "it is a folder",
    EMFILE: "too many open files",
  };
  return code ? `${words[code] ?? "cannot be read"} (${code})` : String(cause);
}

/** Opens a CSV or gzip-compressed CSV file (recognised by its content, not only its name). */
export async function openSourceFile(path: string): Promise<SourceFile> {
  let size: number;
  let compressed: boolean;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new SourceFileError(`${path} is not a file`);
    size = info.size;
    compressed = await isGzip(path);
  } catch (cause) {
    if (cause instanceof SourceFileError) throw cause;
    throw new SourceFileError(`cannot open ${path}: ${fileProblem(cause)}`, { cause });
  }
  const hash = createHash("sha256");
  let read = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      read += chunk.length;
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const file = createReadStream(path, { highWaterMark: READ_CHUNK });
  // pipeline() destroys every stage when one fails; errors surface in the iteration below.
  const content: Readable = compressed
    ? pipeline(file, tap, createGunzip({ chunkSize: READ_CHUNK }), () => {})
    : pipeline(file, tap, () => {});
  let digest: string | undefined;
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of content) yield chunk as Buffer;
    } catch (cause) {
      const what = compressed ? "decompress" : "read";
      throw new SourceFileError(`cannot ${what} ${path}: ${(cause as Error).message}`, { cause });
    } finally {
      content.destroy();
    }
  }
  return {
    path,
    size,
    compressed,
    bytesRead: () => read,
    chunks: chunks(),
    sha256: () => {
      digest ??= hash.digest("hex");
      return digest;
    },
  };
}
