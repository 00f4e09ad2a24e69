/**
 * Numbers as every report, check summary and chart shows them, and min/max over arrays of any length.
 */

/**
 * Four significant digits; exponent form below 1e-3 and from 1e6 on (`2.42e-8`, `1.5e+6`), so a column never
 * mixes `0.00000377` with `2.42e-8`. Non-finite values read as `∞`, `−∞`, `NaN`; callers that mean "never
 * reached" or "diverged" say so themselves.
 *
 * Self-contained on purpose (no helpers, no nested functions): report.html ships this function's source to
 * the browser so chart axes and tooltips use the very same rule (src/report/html.ts, src/report/render.ts).
 */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) {
    return value.toExponential(3).replace(/\.?0+e/, 'e');
  }
  return String(Number(value.toPrecision(4)));
}

/**
 * Smallest value; Infinity for none. A loop, not Math.min(...values): spreading a 50,000-epoch curve into
 * arguments overflows the call stack.
 */
export function minOf(values: Iterable<number>): number {
  let min = Infinity;
  for (const value of values) if (value < min) min = value;
  return min;
}

/** Largest value; -Infinity for none (see minOf). */
export function maxOf(values: Iterable<number>): number {
  let max = -Infinity;
  for (const value of values) if (value > max) max = value;
  return max;
}
