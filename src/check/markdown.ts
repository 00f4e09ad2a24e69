/** The check's report as Markdown, for the console and a GitHub Actions job summary. */
import { CURVES } from './curves.js';
import type { CheckReport, Deviation, GroupCheck, ConvergenceVerdict } from './compare.js';

const VERDICT_LABEL: Record<ConvergenceVerdict, string> = {
  ok: '✅ ok', regressed: '❌ regressed', improved: '✨ improved', missing: '⚠️ missing', new: '🆕 new',
};

const num = (value: number) => String(Number(value.toPrecision(4)));
/** A difference with the decimals of `reference` at 4 significant digits, so float noise shows as 0. */
function signed(value: number, reference: number): string {
  const decimals = Math.min(20, Math.max(0, 3 - Math.floor(Math.log10(Math.abs(reference) || 1))));
  const text = Math.abs(value).toFixed(decimals);
  return `${value < 0 && Number(text) !== 0 ? '−' : '+'}${text}`;
}
const percent = (relative: number | null) => (relative === null ? '' : `, ${relative < 0 && Math.abs(relative) >= 5e-4 ? '−' : '+'}${Math.abs(relative * 100).toFixed(1)}%`);

/** "0.8300 (+0.3177, +62.0%)": the observed value and how much worse (+) or better (−) it is. */
const observed = (d: Deviation) => `${num(d.observed)} (${signed(d.worsening, d.baselineMean)}${percent(d.relative)})`;
const expected = (d: Deviation) => `${num(d.baselineMean)} ± ${num(d.band)}`;
const cell = (d: Deviation | undefined, show: (d: Deviation) => string) => (d ? show(d) : '—');

function worstEpoch(group: GroupCheck): string {
  const worst = group.worstEpoch;
  return worst ? `${worst.epoch}: ${signed(worst.worsening, worst.baselineMean)}${percent(worst.relative)}, ${(worst.worsening / worst.band).toFixed(1)} bands` : '—';
}

function detail(group: GroupCheck, curveLabel: string): string {
  const parts: string[] = [];
  for (const [name, d] of [['final', group.final], ['AUC (mean over epochs)', group.auc]] as const) {
    if (d && d.judgement !== 'within') {
      const by = `${signed(d.worsening, d.baselineMean).slice(1)}${d.relative === null ? '' : ` (${Math.abs(d.relative * 100).toFixed(1)}%)`}`;
      parts.push(`${name} ${curveLabel} ${num(d.observed)} is ${d.judgement} than the baseline ${expected(d)} by ${by}`);
    }
  }
  if (group.note) parts.push(group.note);
  const { run, baseline } = group.learningRate;
  if (run !== null && baseline !== null && run !== baseline) parts.push(`learning rate ${run} (baseline ${baseline})`);
  return `- **${group.key}** — ${VERDICT_LABEL[group.verdict]}${parts.length ? `: ${parts.join('; ')}` : ''}`;
}

export function renderCheckMarkdown(report: CheckReport): string {
  const curve = CURVES[report.curve];
  const count = (verdict: ConvergenceVerdict) => report.groups.filter((g) => g.verdict === verdict).length;
  const headline = report.regressed ? `❌ ${count('regressed')} of ${report.groups.length} regressed` : '✅ no regression';
  const { k, relativeFloor, absoluteFloor } = report.tolerance;
  const lines = [
    `## Convergence check: ${report.experiment} · ${report.profile} · ${report.backend} — ${headline}`,
    '',
    `Run \`${report.runId}\` (seeds ${report.runSeeds.join(', ')}) against the baseline from run \`${report.baselineRunId}\` ` +
      `(seeds ${report.baselineSeeds.join(', ')}), ${report.epochsCompared} epoch${report.epochsCompared === 1 ? '' : 's'} of **${curve.label}** (${curve.lowerIsBetter ? 'lower' : 'higher'} is better). ` +
      `The seed mean of the final value or of the AUC regresses when it is worse than the baseline mean by more than ` +
      `the band max(${k}·std, ${relativeFloor * 100}% of |mean|, ${absoluteFloor}).`,
    '',
    '| optimizer | verdict | final: baseline ± band | final: run | AUC: baseline ± band | AUC: run | worst epoch |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...report.groups.map((g) =>
      `| ${g.key} | ${VERDICT_LABEL[g.verdict]} | ${cell(g.final, expected)} | ${cell(g.final, observed)} | ${cell(g.auc, expected)} | ${cell(g.auc, observed)} | ${worstEpoch(g)} |`),
  ];
  const details = report.groups.filter((g) => g.verdict !== 'ok' || g.note).map((g) => detail(g, curve.label));
  if (details.length) lines.push('', ...details);
  if (report.notes.length) lines.push('', '**Notes**', '', ...report.notes.map((note) => `- ${note}`));
  return `${lines.join('\n')}\n`;
}
