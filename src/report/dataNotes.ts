/**
 * settings.data as a reader wants it: plain phrases, no raw JSON, no paths of the machine that ran (a file is
 * named by its file name, with its size and a short sha256 when the data notes record them).
 */
import path from 'node:path';
import { formatNumber } from '../common/numbers.js';

export interface Fact {
  label: string;
  value: string;
}

/** "trainSamples" → "train samples". */
export function humanize(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
}

const isLocalPath = (text: string) => /^(\/|~\/|[A-Za-z]:[\\/]|\\\\)/.test(text) && !/\s/.test(text.trim());

function megabytes(bytes: number): string {
  return bytes >= 1e6 ? `${formatNumber(bytes / 1e6)} MB` : bytes >= 1e3 ? `${formatNumber(bytes / 1e3)} kB` : `${bytes} bytes`;
}

/** A file by its name, with its size and a short sha256 when known. */
export function fileText(location: string, known: { size?: unknown; sha256?: unknown } = {}): string {
  const name = path.basename(location.replace(/\\/g, '/'));
  const details = [
    ...(typeof known.size === 'number' ? [megabytes(known.size)] : []),
    ...(typeof known.sha256 === 'string' ? [`sha256 ${known.sha256.slice(0, 12)}…`] : []),
  ];
  return details.length ? `${name} (${details.join(', ')})` : name;
}

function scalarText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 1e15 ? value.toLocaleString('en-US') : formatNumber(value);
  const text = String(value);
  return isLocalPath(text) ? fileText(text) : text;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A (source, origin, verification) record of src/data/fetch.ts: "train-images… (26.4 MB, sha256 …), mirror, verified by sha256". */
function provenanceText(record: Record<string, unknown>): string | null {
  if (typeof record.origin !== 'string') return null;
  const origin = isLocalPath(record.origin) ? fileText(record.origin, record) : record.origin;
  const parts = [origin, ...(record.source ? [`from the ${scalarText(record.source)}`] : []), ...(record.verification ? [`verified by ${scalarText(record.verification)}`] : [])];
  return parts.join(', ');
}

/** Any JSON value as a phrase: numbers formatted, points as (x, y), records as "key value; …". */
export function readable(value: unknown): string {
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((v) => typeof v === 'number')) {
      return value.length <= 3 ? `(${value.map(scalarText).join(', ')})` : value.map(scalarText).join(', ');
    }
    return value.map(readable).join(value.some((v) => isRecord(v)) ? '; ' : ', ');
  }
  if (isRecord(value)) {
    const provenance = provenanceText(value);
    if (provenance) return provenance;
    const { name, title, ...rest } = value;
    const entries = Object.entries(rest).map(([key, child]) => `${humanize(key)} ${isRecord(child) ? `(${readable(child)})` : readable(child)}`);
    const body = [...(typeof title === 'string' ? [title] : []), ...entries].join(', ');
    return typeof name === 'string' ? `${name}: ${body}` : body;
  }
  return scalarText(value);
}

const childLabel = (key: string) => (isLocalPath(key) || key.includes('/') ? path.posix.basename(key.replace(/\\/g, '/')) : humanize(key));

/**
 * One fact per note; a record of records (per-file provenance, per-optimizer settings) or a list of named
 * records (surfaces) is split into one fact per entry, so nothing is cut short.
 */
export function dataNotes(data: Record<string, unknown>): Fact[] {
  return Object.entries(data).flatMap(([key, value]): Fact[] => {
    const label = `Data: ${humanize(key)}`;
    if (isRecord(value) && !provenanceText(value) && Object.values(value).some(isRecord)) {
      return Object.entries(value).map(([child, note]) => ({ label: `${label}, ${childLabel(child)}`, value: readable(note) }));
    }
    if (Array.isArray(value) && value.length > 0 && value.every((item) => isRecord(item) && typeof item.name === 'string')) {
      return value.map((item: Record<string, unknown>) => {
        const { name, ...rest } = item;
        return { label: `${label}, ${String(name)}`, value: readable(rest) };
      });
    }
    return [{ label, value: readable(value) }];
  });
}
