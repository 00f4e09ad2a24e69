/** Parsing and validation of command-line values: every bad value names itself and the valid choices. */
import { InvalidArgumentError } from 'commander';
import { fileInTheWay } from '../common/atomicWrite.js';
import { MAX_SEED } from '../common/random.js';
import { MAX_PLAN_UNITS } from '../train/planLimits.js';
import { UsageError } from './errors.js';

/** A whole number ≥ 1 (and ≤ `max` when given: `why` says where the limit comes from). */
export function positiveInteger(flag: string, max?: number, why = '') {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
      throw new InvalidArgumentError(`${flag} takes a positive whole number, got '${value}'.`);
    }
    if (max !== undefined && n > max) throw new InvalidArgumentError(`${flag} takes at most ${max}${why}, got '${value}'.`);
    return n;
  };
}

/** A whole number ≥ 0 (and ≤ `max` when given: `why` says where the limit comes from). */
export function nonNegativeInteger(flag: string, max?: number, why = '') {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
      throw new InvalidArgumentError(`${flag} takes a whole number ≥ 0, got '${value}'.`);
    }
    if (max !== undefined && n > max) throw new InvalidArgumentError(`${flag} takes a whole number from 0 to ${max}${why}, got '${value}'.`);
    return n;
  };
}

/** `--seed` and the seeds after it for `--seeds`: all within the generator's range, so no two alias. */
export function runSeeds(first: number, count: number): number[] {
  if (first + count - 1 > MAX_SEED) {
    throw new UsageError(`--seed ${first} --seeds ${count} would run seeds up to ${first + count - 1}, past ${MAX_SEED}, the largest seed the generator `
      + `tells apart (it keeps 32 bits: ${MAX_SEED + 1} would train exactly like 0). Use --seed ${MAX_SEED - count + 1} or lower.`);
  }
  return Array.from({ length: count }, (_, i) => first + i);
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
  const tooMany = (count: number) => new InvalidArgumentError(
    `--lr '${value}' asks for ${count} learning rates; a run holds at most ${MAX_PLAN_UNITS} units, so at most ${MAX_PLAN_UNITS} rates.`);
  if (value.includes(':')) {
    const parts = value.split(':');
    if (parts.length !== 3) throw bad();
    const [start, end, count] = parts.map(Number);
    if (!(start > 0 && end > 0 && Number.isFinite(start) && Number.isFinite(end) && Number.isInteger(count) && count >= 2)) throw bad();
    if (count > MAX_PLAN_UNITS) throw tooMany(count); // before anything is allocated
    const ratio = Math.log(end / start) / (count - 1);
    // Rates are recorded to 6 significant digits: a range too narrow for `count` distinct values would train one rate several times.
    const rates = Array.from({ length: count }, (_, i) => Number((start * Math.exp(ratio * i)).toPrecision(6)));
    if (new Set(rates).size !== count) {
      throw new InvalidArgumentError(`--lr '${value}' does not give ${count} different learning rates (to 6 significant digits)`
        + (start === end ? ': start and end are equal; give one rate instead.' : ': widen the range or ask for fewer.'));
    }
    return rates;
  }
  const rates = value.split(',').map((item) => item.trim());
  if (rates.some((r) => r === '' || !(Number(r) > 0) || !Number.isFinite(Number(r)))) throw bad();
  const distinct = [...new Set(rates.map(Number))];
  if (distinct.length > MAX_PLAN_UNITS) throw tooMany(distinct.length);
  return distinct;
}

/**
 * An option naming a directory optbench writes into (`--out`, `--reports-root`): not empty, and not a
 * path through a file. Checked when the command line is parsed, before any work, so the message names
 * the option rather than a temp file deep inside it.
 */
export function outputDirectory(flag: string) {
  return (value: string): string => {
    if (value.trim() === '') throw new InvalidArgumentError(`${flag} needs a directory; got an empty string (omit ${flag} for the default).`);
    const file = fileInTheWay(value);
    if (file !== undefined) {
      throw new InvalidArgumentError(`${flag} '${value}' cannot be a directory: ${file} is a file. Pass a directory (it is created when missing).`);
    }
    return value;
  };
}
