/** The check's report as Markdown, for the console and a GitHub Actions job summary. */
import { formatNumber } from '../common/numbers.js';
import type { CheckReport, Comparison, GroupCheck, ConvergenceVerdict } from './compare.js';
import type { SettingDifference } from './settings.js';

const VERDICT_LABEL: Record<ConvergenceVerdict, string> = {
  ok: '✅ ok', worse: '❌ changed (worse)', better: '✨ changed (better)', changed: '❌ changed', missing: '⚠️ missing', new: '🆕 new',
  unjudged: '❔ not judged',
};

const num = formatNumber;
const percent = (relative: number) => `${relative < 0 ? '−' : '+'}${Math.abs(relative * 100).toFixed(Math.abs(relative) < 0.001 && relative !== 0 ? 3 : 1)}%`;
const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** "2.93 → 3.08 (+5.1% worse)". */
function cell(c: Comparison | undefined): string {
  if (!c) return '—';
  if (c.baseline === c.run) return `${num(c.run)} (same)`;
  return `${num(c.baseline)} → ${num(c.run)}${c.worsening === null ? '' : ` (${percent(c.worsening)} ${c.worsening > 0 ? 'worse' : 'better'})`}`;
}

function modeCell(group: GroupCheck): string {
  const parts: string[] = [];
  if (group.replays.length) {
    const identical = group.replays.filter((r) => r.identical).map((r) => r.seed);
    const differing = group.replays.filter((r) => !r.identical).map((r) => r.seed);
    parts.push(`replay: ${[identical.length ? `seed ${identical.join(', ')} identical` : '', differing.length ? `seed ${differing.join(', ')} differs` : ''].filter(Boolean).join('; ')}`);
  }
  if (group.statistical) parts.push(`statistical: seeds ${group.statistical.runSeeds.join(', ')} vs ${group.statistical.baselineSeeds.join(', ')}`);
  else if (group.modes.includes('statistical')) parts.push('statistical');
  return parts.join(' + ') || '—';
}

const sensitivityCell = (group: GroupCheck) => {
  const { final, auc } = group.sensitivity;
  const share = (relative: number | null) => (relative === null ? '—' : `${relative < 0.01 ? Number((relative * 100).toPrecision(2)) : (relative * 100).toFixed(1)}%`);
  const stat = final === null && auc === null ? 'statistical: cannot judge' : `statistical: ±${share(final)} / ±${share(auc)}`;
  return group.replays.length ? `replay: any change; ${stat}` : stat;
};

function differenceRow(d: SettingDifference): string {
  const status = d.accepted ? 'accepted (--accept)' : d.harmless ? 'no effect: every seed replayed identically' : '❌ not accepted';
  return `| \`${d.key}\` | ${show(d.baseline)} | ${show(d.run)} | ${status} |`;
}

export function renderCheckMarkdown(report: CheckReport): string {
  const failing = report.groups.filter((g) => ['worse', 'changed'].includes(g.verdict) || (g.verdict === 'better' && !report.allowImprovement));
  const unaccepted = report.differences.filter((d) => !d.accepted && !d.harmless);
  const headline = report.failed
    ? `❌ ${[failing.length ? `${failing.length} optimizer${failing.length === 1 ? '' : 's'} changed` : '', unaccepted.length ? `${unaccepted.length} setting${unaccepted.length === 1 ? ' differs' : 's differ'}` : '', !failing.length && !unaccepted.length ? 'optimizers missing or new' : ''].filter(Boolean).join(', ')}`
    : '✅ no change';
  const lines = [
    `## Convergence check: ${report.experiment} · ${report.profile} · ${report.backend} — ${headline}`,
    '',
    `Run \`${report.runId}\` (seeds ${report.runSeeds.join(', ')}) against the baseline from run \`${report.baselineRunId}\` ` +
      `(seeds ${report.baselineSeeds.join(', ')}), ${report.epochsCompared} epoch${report.epochsCompared === 1 ? '' : 's'}; direction and statistics on the **${report.curveLabel}** (${report.lowerIsBetter ? 'lower' : 'higher'} is better).`,
    '',
    report.replayBlockers.length && report.differences.some((d) => d.harmless)
      ? `**Exact replay**: every seed reproduced the baseline's curves bit for bit, although ${report.replayBlockers.join('; ')}.`
      : report.replayBlockers.length
      ? `**Exact replay** applies only where the run reproduces the baseline's computation; here not everywhere: ${report.replayBlockers.join('; ')}. ` +
        `Those seeds are judged **statistically**: a t-test over the seeds on the final value and the AUC, Bonferroni-corrected so that an unchanged run fails this check with probability ≤ ${report.falseAlarmRate * 100}%.`
      : '**Exact replay**: same backend, packages, kernels and settings, so every seed the baseline holds must reproduce its curves (training and validation loss and metric, every epoch) exactly; any difference is a change.',
    '',
    '### Settings and environment',
    '',
    ...(report.differences.length
      ? ['| setting | baseline | run | |', '| --- | --- | --- | --- |', ...report.differences.map(differenceRow),
        ...(unaccepted.length ? ['', `A difference nobody asked for fails the check: if it is intended, accept it (\`--accept ${[...new Set(unaccepted.map((d) => d.key))].join(',')}\`) or update the baseline (\`--update-baseline\`).`] : [])]
      : ['No difference from the baseline\'s settings, optimizer hyperparameters and environment.']),
    '',
    '### Curves',
    '',
    `| optimizer | verdict | how | final ${report.curveLabel} | AUC (mean over epochs) | smallest detectable change (final / AUC) |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...report.groups.map((g) => `| ${g.key} | ${VERDICT_LABEL[g.verdict]} | ${modeCell(g)} | ${cell(g.final)} | ${cell(g.auc)} | ${sensitivityCell(g)} |`),
  ];
  const details = report.groups.filter((g) => g.reasons.length && g.verdict !== 'ok').map((g) => `- **${g.key}** — ${VERDICT_LABEL[g.verdict]}: ${g.reasons.join('; ')}` +
    (g.differences.length ? ` (settings changed: ${g.differences.map((d) => `${d.key} ${show(d.baseline)} → ${show(d.run)}`).join(', ')})` : ''));
  if (details.length) lines.push('', ...details);
  if (report.groups.some((g) => g.verdict === 'better') && !report.allowImprovement) {
    lines.push('', 'An improvement fails too: nobody asked for it. If it is intended, pass `--allow-improvement` or update the baseline.');
  }
  if (report.notes.length) lines.push('', '**Notes**', '', ...report.notes.map((note) => `- ${note}`));
  return `${lines.join('\n')}\n`;
}
