/**
 * Parser for the IDX format of (Fashion-)MNIST: two zero bytes, a type code, the number of
 * dimensions, one big-endian uint32 per dimension, then the data in row-major order.
 * Only unsigned bytes (type 0x08) are supported: it is the only type MNIST-style files use.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { DataFormatError } from './errors.js';

const UNSIGNED_BYTE = 0x08;

export interface IdxArray {
  /** Size of each dimension, outermost first (e.g. [60000, 28, 28]). */
  dims: number[];
  /** The values, a view on the input buffer (not a copy). */
  data: Uint8Array;
}

interface IdxHeader {
  dims: number[];
  headerLength: number;
  /** Header plus data: the size of the whole uncompressed file. */
  totalBytes: number;
}

/**
 * The header at the start of `buffer`, or undefined when `buffer` is too short to hold it yet (a stream
 * still arriving). Throws DataFormatError when it is not an IDX header of unsigned bytes.
 */
function readIdxHeader(buffer: Uint8Array, source: string, complete: boolean): IdxHeader | undefined {
  const fail = (problem: string) => new DataFormatError(`${source} is not a valid IDX file: ${problem}`);
  if (buffer.length < 4) {
    if (!complete) return undefined;
    throw fail(`it has only ${buffer.length} bytes, shorter than the 4-byte magic number`);
  }
  if (buffer[0] !== 0 || buffer[1] !== 0) {
    throw fail(`the magic number starts with 0x${hex(buffer[0])}${hex(buffer[1])} instead of 0x0000`);
  }
  if (buffer[2] !== UNSIGNED_BYTE) {
    throw fail(`element type 0x${hex(buffer[2])} is not supported (only unsigned bytes, 0x08)`);
  }
  const rank = buffer[3];
  if (rank === 0) throw fail('it declares 0 dimensions');
  const headerLength = 4 + 4 * rank;
  if (buffer.length < headerLength) {
    if (!complete) return undefined;
    throw fail(`the header of ${rank} dimensions needs ${headerLength} bytes but the file has ${buffer.length}`);
  }
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  return { dims, headerLength, totalBytes: headerLength + dims.reduce((product, size) => product * size, 1) };
}

/** Parses an uncompressed IDX buffer. `source` names the file in error messages. */
export function parseIdx(buffer: Uint8Array, source: string): IdxArray {
  const fail = (problem: string) =>
    new DataFormatError(`${source} is not a valid IDX file: ${problem}`);
  const { dims, headerLength } = readIdxHeader(buffer, source, true)!;
  const expectedValues = dims.reduce((product, size) => product * size, 1);
  const actualValues = buffer.length - headerLength;
  if (actualValues !== expectedValues) {
    throw fail(
      `the header declares dimensions ${dims.join('×')} (${expectedValues} values) but ${actualValues} ` +
        `bytes follow it${actualValues < expectedValues ? ' (file truncated)' : ''}`,
    );
  }
  return { dims, data: buffer.subarray(headerLength) };
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/**
 * Decompresses a gzipped IDX file as a stream into one buffer of the size its header declares. Memory
 * stays bounded by what the file may hold: a header declaring more than `maxBytes` is refused before
 * anything is allocated, and data running past the declared size (a gzip bomb) is refused as it arrives,
 * instead of inflating it all first.
 */
export async function readGzippedIdx(filePath: string, maxBytes: number): Promise<IdxArray> {
  const head: Buffer[] = [];
  let headBytes = 0;
  let header: IdxHeader | undefined;
  let output: Uint8Array | undefined;
  let filled = 0;
  try {
    for await (const chunk of createReadStream(filePath).pipe(createGunzip()) as AsyncIterable<Buffer>) {
      if (!output) {
        head.push(chunk);
        headBytes += chunk.length;
        const start = Buffer.concat(head, headBytes);
        header = readIdxHeader(start, filePath, false);
        if (!header) continue;
        if (header.totalBytes > maxBytes) {
          throw new DataFormatError(
            `${filePath} declares dimensions ${header.dims.join('×')} (${header.totalBytes} bytes unpacked), more than the ` +
              `${maxBytes} bytes this file holds; it was refused before being inflated.`,
          );
        }
        output = new Uint8Array(header.totalBytes);
        filled = copyInto(output, 0, start, filePath, header);
        continue;
      }
      filled = copyInto(output, filled, chunk, filePath, header!);
    }
  } catch (error) {
    if (error instanceof DataFormatError) throw error;
    throw new DataFormatError(`${filePath} is not a complete gzip file (${(error as Error).message})`);
  }
  if (!output) return parseIdx(Buffer.concat(head, headBytes), filePath); // too short for a header: says why
  return parseIdx(output.subarray(0, filled), filePath);
}

function copyInto(output: Uint8Array, offset: number, chunk: Uint8Array, filePath: string, header: IdxHeader): number {
  if (offset + chunk.length > output.length) {
    throw new DataFormatError(
      `${filePath} inflates to more than the ${header.totalBytes} bytes its IDX header declares (${header.dims.join('×')}); ` +
        `it is corrupt or a decompression bomb, and was refused without inflating the rest.`,
    );
  }
  output.set(chunk, offset);
  return offset + chunk.length;
}
