// Walks a GGUF file's header, metadata and tensor table as llama.cpp reads them, reading only
// bytes that exist, to say whether the file holds all of that structure and where its tensor data
// starts. node-llama-cpp's reader fills reads past the end of a file with zeros, so a cut file
// parses as quiet garbage (a model without an architecture) instead of failing; this walk is what
// tells a truncated file from a damaged one.
import { open, type FileHandle } from 'node:fs/promises';

/** The part of the file that was being read when the bytes ran out. */
export type GgufSection = 'header' | 'metadata' | 'tensorInfo';

export type GgufLayout =
  | { readonly kind: 'complete'; readonly version: number; readonly tensorCount: number; readonly dataOffset: number }
  /** The file ends inside `section`; reading on needed at least `neededBytes`. */
  | { readonly kind: 'truncated'; readonly section: GgufSection; readonly neededBytes: number }
  | { readonly kind: 'notGguf' }
  /** Bytes that are there but cannot be GGUF: an unknown type, an implausible count or length. */
  | { readonly kind: 'invalid'; readonly reason: string };

const MAGIC = 'GGUF';
const DEFAULT_ALIGNMENT = 32;
// Limits well above any real model and well below what garbage bytes decode to, so a damaged
// file is called damaged rather than "truncated" because a random length points past its end.
const MAX_COUNT = 2 ** 32;
const MAX_STRING_BYTES = 2 ** 30;
const MAX_KEY_BYTES = 65_535; // the GGUF specification's limit
const MAX_DIMS = 4; // GGML_MAX_DIMS
const READ_CHUNK = 1 << 20;

// gguf_type in llama.cpp: the fixed size of each scalar value type; 8 is string, 9 array.
const SCALAR_BYTES: ReadonlyMap<number, number> = new Map([
  [0, 1], [1, 1], [2, 2], [3, 2], [4, 4], [5, 4], [6, 4], [7, 1], [10, 8], [11, 8], [12, 8],
]);
const STRING_TYPE = 8;
const ARRAY_TYPE = 9;
const UINT32_TYPE = 4;

class OutOfBytes extends Error {
  constructor(readonly neededBytes: number) {
    super(`needs ${neededBytes} bytes`);
  }
}

class Invalid extends Error {}

export async function readGgufLayout(path: string): Promise<GgufLayout> {
  const handle = await open(path, 'r');
  try {
    const reader = new Reader(handle, (await handle.stat()).size);
    let section: GgufSection = 'header';
    try {
      const magic = await reader.bytes(Math.min(MAGIC.length, reader.size));
      if (magic.toString('latin1') !== MAGIC.slice(0, magic.length)) return { kind: 'notGguf' };
      // A file shorter than the magic but agreeing with it is a cut GGUF (or an empty download).
      if (magic.length < MAGIC.length) return { kind: 'truncated', section, neededBytes: MAGIC.length };
      const version = await reader.uint32();
      if (version !== 2 && version !== 3) throw new Invalid(`unsupported GGUF version ${version}`);
      const tensorCount = await reader.count('tensor count');
      const kvCount = await reader.count('metadata entry count');

      section = 'metadata';
      let alignment = DEFAULT_ALIGNMENT;
      for (let index = 0; index < kvCount; index += 1) {
        const key = await reader.text(MAX_KEY_BYTES, 'metadata key');
        const type = await reader.uint32();
        if (key === 'general.alignment' && type === UINT32_TYPE) {
          alignment = await reader.uint32();
          if (alignment === 0 || (alignment & (alignment - 1)) !== 0) throw new Invalid(`general.alignment ${alignment} is not a power of two`);
        } else {
          await skipValue(reader, type, key);
        }
      }

      section = 'tensorInfo';
      for (let index = 0; index < tensorCount; index += 1) {
        await reader.skipString(MAX_KEY_BYTES, 'tensor name');
        const dims = await reader.uint32();
        if (dims > MAX_DIMS) throw new Invalid(`tensor ${index} has ${dims} dimensions`);
        // Each dimension (u64), the ggml type (u32) and the data offset (u64).
        await reader.skip(dims * 8 + 4 + 8);
      }
      const dataOffset = Math.ceil(reader.position / alignment) * alignment;
      return { kind: 'complete', version, tensorCount, dataOffset };
    } catch (error) {
      if (error instanceof OutOfBytes) return { kind: 'truncated', section, neededBytes: error.neededBytes };
      if (error instanceof Invalid) return { kind: 'invalid', reason: error.message };
      throw error;
    }
  } finally {
    await handle.close();
  }
}

async function skipValue(reader: Reader, type: number, key: string): Promise<void> {
  const scalar = SCALAR_BYTES.get(type);
  if (scalar !== undefined) return reader.skip(scalar);
  if (type === STRING_TYPE) {
    await reader.skipString(MAX_STRING_BYTES, `value of ${key}`);
    return;
  }
  if (type !== ARRAY_TYPE) throw new Invalid(`metadata ${key} has unknown value type ${type}`);
  const elementType = await reader.uint32();
  const length = await reader.count(`length of ${key}`);
  const elementBytes = SCALAR_BYTES.get(elementType);
  if (elementBytes !== undefined) return reader.skip(length * elementBytes);
  // llama.cpp reads arrays of scalars and of strings only.
  if (elementType !== STRING_TYPE) throw new Invalid(`metadata ${key} is an array of unsupported type ${elementType}`);
  for (let index = 0; index < length; index += 1) await reader.skipString(MAX_STRING_BYTES, `element of ${key}`);
}

/** Sequential reads through a window of the file; asking for bytes past its end throws OutOfBytes. */
class Reader {
  private window = Buffer.alloc(0);
  private windowStart = 0;
  position = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  async bytes(length: number): Promise<Buffer> {
    await this.ensure(length);
    const start = this.position - this.windowStart;
    this.position += length;
    return this.window.subarray(start, start + length);
  }

  async uint32(): Promise<number> {
    return (await this.bytes(4)).readUInt32LE(0);
  }

  /** A u64 count or length, refused when no real file could hold that many. */
  async count(what: string): Promise<number> {
    const value = (await this.bytes(8)).readBigUInt64LE(0);
    if (value > BigInt(MAX_COUNT)) throw new Invalid(`implausible ${what} ${value}`);
    return Number(value);
  }

  /** A GGUF string (u64 length, then UTF-8 bytes). */
  async text(maxBytes: number, what: string): Promise<string> {
    return (await this.bytes(await this.stringLength(maxBytes, what))).toString('utf8');
  }

  /** A GGUF string whose text is not needed: only its bytes must be there. */
  async skipString(maxBytes: number, what: string): Promise<void> {
    await this.skip(await this.stringLength(maxBytes, what));
  }

  private async stringLength(maxBytes: number, what: string): Promise<number> {
    const length = (await this.bytes(8)).readBigUInt64LE(0);
    if (length > BigInt(maxBytes)) throw new Invalid(`implausible length ${length} of a ${what}`);
    return Number(length);
  }

  async skip(length: number): Promise<void> {
    if (this.position + length > this.size) throw new OutOfBytes(this.position + length);
    this.position += length;
  }

  private async ensure(length: number): Promise<void> {
    const end = this.position + length;
    if (end > this.size) throw new OutOfBytes(end);
    if (this.position >= this.windowStart && end <= this.windowStart + this.window.length) return;
    const readLength = Math.min(Math.max(length, READ_CHUNK), this.size - this.position);
    const buffer = Buffer.alloc(readLength);
    const { bytesRead } = await this.handle.read(buffer, 0, readLength, this.position);
    // The file shrank while being read: as short as what was read.
    if (bytesRead < length) throw new OutOfBytes(end);
    this.window = buffer.subarray(0, bytesRead);
    this.windowStart = this.position;
  }
}
