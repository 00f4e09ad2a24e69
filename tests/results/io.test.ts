import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResults, writeJsonAtomic } from '../../src/results/io.js';
import { InvalidResultsError } from '../../src/results/errors.js';
import { UnsupportedResultsVersionError } from '../../src/results/errors.js';
import { RESULTS_SCHEMA_VERSION } from '../../src/results/schema.js';
import { makeResults } from '../fixtures/results/makeResults.js';

const tempFile = async (name = 'results.json') => path.join(await mkdtemp(path.join(tmpdir(), 'optbench-io-')), name);

describe('results.json io', () => {
  it('reads back what it wrote, leaving no temp files behind', async () => {
    const file = await tempFile();
    const results = makeResults([{ optimizer: 'adam' }, { optimizer: 'sgd', status: 'diverged', reason: 'NaN' }]);
    await writeJsonAtomic(file, results);
    expect(await readResults(file)).toEqual(results);
    expect(await readdir(path.dirname(file))).toEqual(['results.json']);
  });

  it('refuses a newer schema version, naming it and telling to upgrade', async () => {
    const file = await tempFile();
    await writeFile(file, JSON.stringify({ ...makeResults([]), schemaVersion: RESULTS_SCHEMA_VERSION + 1 }));
    const error = await readResults(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedResultsVersionError);
    expect((error as Error).message).toContain(`schemaVersion ${RESULTS_SCHEMA_VERSION + 1}`);
    expect((error as Error).message).toContain('upgrade optbench');
    expect((error as UnsupportedResultsVersionError).found).toBe(RESULTS_SCHEMA_VERSION + 1);
  });

  it('refuses an unknown or missing version as not an optbench results file', async () => {
    for (const version of [0, 'one', undefined]) {
      const file = await tempFile();
      await writeFile(file, JSON.stringify({ ...makeResults([]), schemaVersion: version }));
      await expect(readResults(file)).rejects.toThrow(/not an optbench results file or is corrupt/);
    }
  });

  it('refuses files that are not JSON or lack required fields, saying which', async () => {
    const notJson = await tempFile();
    await writeFile(notJson, '{"schemaVersion": 1,');
    await expect(readResults(notJson)).rejects.toThrow(InvalidResultsError);
    const noRuns = await tempFile();
    const { runs: _runs, ...rest } = makeResults([]);
    await writeFile(noRuns, JSON.stringify(rest));
    await expect(readResults(noRuns)).rejects.toThrow("field 'runs' must be an array");
  });

  it('writes pretty JSON with a trailing newline', async () => {
    const file = await tempFile();
    await writeJsonAtomic(file, makeResults([]));
    const text = await readFile(file, 'utf8');
    expect(text.startsWith(`{\n  "schemaVersion": ${RESULTS_SCHEMA_VERSION},`)).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
  });
});
