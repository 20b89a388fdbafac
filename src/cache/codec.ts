import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/** First byte of a compressed value. 0xFF never starts UTF-8 text, so plain values are stored as they are. */
const COMPRESSED = 0xff;
const HEADER = Buffer.from([COMPRESSED]);
const BROTLI = {
  params: {
    // Quality 4 compresses session-sized JSON well at a small fraction of the default (11) CPU cost.
    [constants.BROTLI_PARAM_QUALITY]: 4,
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
  },
};

/** The value as stored in Redis: the string itself, or header + brotli when above `threshold` bytes and smaller that way. */
export function encodeValue(value: string, threshold: number): string | Buffer {
  // value.length ≤ byte length, so short strings skip the byte count.
  if (value.length * 3 <= threshold) return value;
  const raw = Buffer.from(value, 'utf8');
  if (raw.length <= threshold) return value;
  const compressed = brotliCompressSync(raw, BROTLI);
  return compressed.length + 1 < raw.length ? Buffer.concat([HEADER, compressed]) : value;
}

export function decodeValue(stored: Buffer | null | undefined): string | undefined {
  if (!stored) return undefined;
  if (stored.length > 0 && stored[0] === COMPRESSED) return brotliDecompressSync(stored.subarray(1)).toString('utf8');
  return stored.toString('utf8');
}
