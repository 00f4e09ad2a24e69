/** Reader for NumPy `.npz` archives (`np.savez`, `np.savez_compressed`): a zip of `.npy` members. */
import { promisify } from 'node:util';
import yauzl from 'yauzl';
import { DataFormatError } from './errors.js';
import { parseNpy, type NpyArray } from './npy.js';

const openZip = promisify<string, yauzl.Options, yauzl.ZipFile>(yauzl.open);

/**
 * All arrays of an npz file, keyed by name without the `.npy` suffix (as `np.load(...)[name]`). A member
 * whose declared size passes `maxMemberBytes` is refused before it is inflated (yauzl holds members to
 * their declared size).
 */
export async function readNpz(filePath: string, maxMemberBytes = 256 * 2 ** 20): Promise<Record<string, NpyArray>> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(filePath, { lazyEntries: true, autoClose: true });
  } catch (error) {
    throw new DataFormatError(`${filePath} is not a readable .npz (zip) archive: ${(error as Error).message}`);
  }
  const arrays: Record<string, NpyArray> = {};
  try {
    for await (const entry of entries(zip)) {
      if (!entry.fileName.endsWith('.npy')) continue;
      const name = entry.fileName.slice(0, -'.npy'.length);
      if (entry.uncompressedSize > maxMemberBytes) {
        throw new DataFormatError(`${filePath}: member ${entry.fileName} unpacks to ${entry.uncompressedSize} bytes, more than the ` +
          `${maxMemberBytes} bytes it may have; it was not inflated.`);
      }
      arrays[name] = parseNpy(await readEntry(zip, entry), `${filePath}:${entry.fileName}`);
    }
  } catch (error) {
    zip.close();
    if (error instanceof DataFormatError) throw error;
    throw new DataFormatError(`${filePath} is a damaged .npz archive: ${(error as Error).message}`);
  }
  return arrays;
}

/** The zip's entries one at a time (yauzl's lazy mode: the next is read only when asked for). */
async function* entries(zip: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
  while (true) {
    const next = new Promise<yauzl.Entry | undefined>((resolve, reject) => {
      const onEntry = (entry: yauzl.Entry) => settle(() => resolve(entry));
      const onEnd = () => settle(() => resolve(undefined));
      const onError = (error: Error) => settle(() => reject(error));
      const settle = (action: () => void) => {
        zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
        action();
      };
      zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
    });
    zip.readEntry();
    const entry = await next;
    if (entry === undefined) return;
    yield entry;
  }
}

async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Uint8Array> {
  const stream = await promisify(zip.openReadStream.bind(zip))(entry);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
