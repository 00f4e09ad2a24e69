/**
 * The article's overall conclusion, judged across experiments: "Adam shows adequate behaviour across
 * different problems, so it is a good candidate to try first". Thresholds were fixed before the study
 * runs were scored; each says why.
 */
import { goodDefaultAcross } from '../../src/claims/kit.js';
import type { StudyClaim } from '../../src/claims/claim.js';

export const studyClaims: StudyClaim[] = [
  goodDefaultAcross({
    id: 'study-adam-good-default',
    statement: 'Adam is a good default: it behaves adequately across different problems.',
    optimizer: 'adam',
    // Why top half or within 5%: "adequate" = never a poor choice, not "always the best".
    topShare: 0.5,
    tolerance: 0.05,
    // Why 3: "different problems" — the article had four; three (Boston, Fashion, IMDB) run here.
    minExperiments: 3,
    why: '"Adequate" means never a poor choice rather than always the best; the article judged four problems, three run on this machine.',
  }),
];
