import { describe, expect, it } from 'vitest';
import { formatNumber, maxOf, minOf } from '../../src/common/numbers.js';

describe('formatNumber', () => {
  it('shows four significant digits between 1e-3 and 1e6', () => {
    expect(formatNumber(0.56934)).toBe('0.5693');
    expect(formatNumber(2.0)).toBe('2');
    expect(formatNumber(12345)).toBe('12350');
    expect(formatNumber(0.001)).toBe('0.001');
    expect(formatNumber(-3.14159)).toBe('-3.142');
    expect(formatNumber(0)).toBe('0');
  });

  it('switches to exponent form below 1e-3 and from 1e6, trimming trailing zeros', () => {
    // The mix: 2.42e-8, 0.00000377 and 9.645e-8 in one column.
    expect([2.42e-8, 0.00000377, 9.645e-8].map(formatNumber)).toEqual(['2.42e-8', '3.77e-6', '9.645e-8']);
    expect(formatNumber(0.000999)).toBe('9.99e-4');
    expect(formatNumber(1e6)).toBe('1e+6');
    expect(formatNumber(1234567)).toBe('1.235e+6');
    expect(formatNumber(-1.23e-5)).toBe('-1.23e-5');
  });

  it('names non-finite values', () => {
    expect([Infinity, -Infinity, NaN].map(formatNumber)).toEqual(['∞', '−∞', 'NaN']);
  });

  it('is self-contained, so its source can run in the browser on its own', () => {
    // report.html ships formatNumber.toString(); a helper it called would be undefined there.
    const shipped = new Function(`return (${formatNumber.toString()});`)() as (value: number) => string;
    for (const value of [2.42e-8, 0.5693, 12345, 1e6, -0.0042, Infinity]) expect(shipped(value)).toBe(formatNumber(value));
  });
});

describe('minOf / maxOf', () => {
  it('handle arrays far longer than the call stack allows as arguments', () => {
    const values = Array.from({ length: 500_000 }, (_, i) => Math.sin(i) * i);
    expect(() => Math.min(...values)).toThrow(RangeError); // what the report did before
    expect(minOf(values)).toBe(values.reduce((a, b) => Math.min(a, b)));
    expect(maxOf(values)).toBe(values.reduce((a, b) => Math.max(a, b)));
  });

  it('return ±Infinity for no values, like Math.min() and Math.max()', () => {
    expect(minOf([])).toBe(Infinity);
    expect(maxOf([])).toBe(-Infinity);
  });
});
