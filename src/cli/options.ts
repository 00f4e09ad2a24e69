/** Parsing and validation of command-line values: every bad value names itself and the valid choices. */
import { InvalidArgumentError } from 'commander';
import { UsageError } from './errors.js';

export function positiveInteger(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
      throw new InvalidArgumentError(`${flag} takes a positive whole number, got '${value}'.`);
    }
    return n;
  };
}

export function nonNegativeInteger(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
      throw new InvalidArgumentError(`${flag} takes a whole number ≥ 0, got '${value}'.`);
    }
    return n;
  };
}

export function choice<T extends string>(flag: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`${flag} must be one of ${choices.join(', ')}; got '${value}'.`);
    }
    return value as T;
  };
}

/** A comma-separated list of names, each checked later with checkNames (the valid names may not be known yet). */
export function nameList(flag: string) {
  return (value: string): string[] => {
    const items = value.split(',').map((item) => item.trim()).filter(Boolean);
    if (items.length === 0) throw new InvalidArgumentError(`${flag} needs at least one name.`);
    return [...new Set(items)];
  };
}

/** Throws a UsageError naming every item that is not one of `choices`, and the valid names. */
export function checkNames(flag: string, items: readonly string[], choices: readonly string[]): void {
  const unknown = items.filter((item) => !choices.includes(item));
  if (unknown.length) {
    throw new UsageError(`${flag}: unknown ${unknown.map((u) => `'${u}'`).join(', ')}; valid names: ${choices.join(', ')}.`);
  }
}

/** A comma-separated list whose every item must be one of `choices`. */
export function listOf(flag: string, choices: readonly string[]) {
  return (value: string): string[] => {
    const items = [...new Set(value.split(',').map((item) => item.trim()).filter(Boolean))];
    if (items.length === 0) throw new InvalidArgumentError(`${flag} needs at least one name; valid names: ${choices.join(', ')}.`);
    try {
      checkNames(flag, items, choices);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
    return items;
  };
}

/** Learning rates: `0.1,0.01` or a log range `1e-4:1e-1:4` (start:end:count, log-spaced). */
export function learningRates(value: string): number[] {
  const bad = () => new InvalidArgumentError(
    `--lr takes positive numbers separated by commas (e.g. 0.001,0.01) or a log-spaced range start:end:count (e.g. 1e-4:1e-1:4); got '${value}'.`);
  if (value.includes(':')) {
    const parts = value.split(':');
    if (parts.length !== 3) throw bad();
    const [start, end, count] = parts.map(Number);
    if (!(start > 0 && end > 0 && Number.isInteger(count) && count >= 2)) throw bad();
    const ratio = Math.log(end / start) / (count - 1);
    return Array.from({ length: count }, (_, i) => Number((start * Math.exp(ratio * i)).toPrecision(6)));
  }
  const rates = value.split(',').map((item) => item.trim());
  if (rates.some((r) => r === '' || !(Number(r) > 0) || !Number.isFinite(Number(r)))) throw bad();
  return [...new Set(rates.map(Number))];
}
