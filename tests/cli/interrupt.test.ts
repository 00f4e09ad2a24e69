/** The interrupt message and the command it gives to continue. */
import { describe, expect, it } from 'vitest';
import { interruptMessage, resumeCommand, shellQuote } from '../../src/cli/interrupt.js';
import { RunInterruptedError } from '../../src/train/errors.js';

describe('resumeCommand', () => {
  const runDir = '/home/me/optbench/reports/fashion/2026-01-01T00-00-00Z-abc123';

  it('repeats the arguments and adds --resume with the run directory, relative when below the working directory', () => {
    expect(resumeCommand(['fashion', '--workers', '2'], { runDir, all: false, cwd: '/home/me/optbench' }))
      .toBe('npm run experiment -- fashion --workers 2 --resume reports/fashion/2026-01-01T00-00-00Z-abc123');
    expect(resumeCommand(['fashion'], { runDir, all: false, cwd: '/elsewhere' })).toBe(`npm run experiment -- fashion --resume ${runDir}`);
  });

  it('replaces a --resume given before (bare, with a directory, or with =)', () => {
    const cwd = '/home/me/optbench';
    expect(resumeCommand(['fashion', '--resume', '--seeds', '3'], { runDir, all: false, resumeValue: true, cwd })).toBe('npm run experiment -- fashion --seeds 3 --resume reports/fashion/2026-01-01T00-00-00Z-abc123');
    expect(resumeCommand(['fashion', '--resume', 'old/dir'], { runDir, all: false, resumeValue: 'old/dir', cwd })).toBe('npm run experiment -- fashion --resume reports/fashion/2026-01-01T00-00-00Z-abc123');
    expect(resumeCommand(['fashion', '--resume=old/dir'], { runDir, all: false, resumeValue: 'old/dir', cwd })).toBe('npm run experiment -- fashion --resume reports/fashion/2026-01-01T00-00-00Z-abc123');
  });

  it('continues `all` with a bare --resume (each experiment\'s newest run), and quotes what the shell would split', () => {
    expect(resumeCommand(['all', '--out', 'my reports'], { runDir, all: true })).toBe("npm run experiment -- all --out 'my reports' --resume");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});

describe('interruptMessage', () => {
  it('says what finished, what was saved at which epoch, what starts over, and the command', () => {
    const error = new RunInterruptedError('SIGINT', '/r', ['adadelta'], [{ id: 'adagrad', epoch: 3 }], ['adam'], 15);
    expect(interruptMessage(error, 'npm run experiment -- fashion --resume /r')).toBe([
      '',
      'Stopped by SIGINT. Kept in /r:',
      '  finished: adadelta (1 of 3 units, in units/)',
      '  saved at the end of an epoch (checkpoints/): adagrad after epoch 3 of 15',
      '  nothing saved yet (start from epoch 1): adam',
      'Continue with:',
      '  npm run experiment -- fashion --resume /r',
    ].join('\n'));
  });
});
