/**
 * scripts/ensure-test-deps.sh, npm test's `pretest`: on a machine that lacks what the suite needs it installs
 * it (root) or stops with the exact command (not root). Run here with a PATH that hides clang-16 and its wasm-ld and
 * stubs `id` and `apt-get`, so nothing is installed for real.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A bin directory with only dirname, a fake `id -u` and an apt-get that logs its arguments; with
 * `aptProvides`, apt-get "installs" clang-16 and its wasm-ld as stubs in that directory, as the real one would.
 */
function fakeSystem(uid: number, withAptGet = true, aptProvides = true) {
  const dir = mkdtempSync(path.join(tmpdir(), 'optbench-deps-'));
  made.push(dir);
  const bin = path.join(dir, 'bin');
  const log = path.join(dir, 'apt.log');
  const script = (name: string, body: string) => {
    writeFileSync(path.join(bin, name), `#!/bin/bash\n${body}\n`);
    chmodSync(path.join(bin, name), 0o755);
  };
  spawnSync('mkdir', [bin]);
  symlinkSync('/usr/bin/dirname', path.join(bin, 'dirname'));
  script('id', `echo ${uid}`);
  const provide = aptProvides
    ? `\ncase "$*" in *install*clang-16*) printf '#!/bin/sh\\necho ${bin}/wasm-ld\\n' > ${bin}/clang-16; echo '#!/bin/sh' > ${bin}/wasm-ld; /bin/chmod +x ${bin}/clang-16 ${bin}/wasm-ld;; esac`
    : '';
  if (withAptGet) script('apt-get', `echo "apt-get $*" >> ${log}${provide}`);
  const run = () => spawnSync('/bin/bash', ['scripts/ensure-test-deps.sh'], { cwd: repo, env: { PATH: bin }, encoding: 'utf8' });
  return { run, aptCalls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

/** What this machine lacks besides clang-16/lld-16, which the fake PATH hides. */
const alsoMissing = [
  ...(existsSync('/usr/bin/chromium') ? [] : ['chromium']),
  ...(existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf') ? [] : ['fonts-dejavu-core']),
];

describe('npm test set-up (scripts/ensure-test-deps.sh)', () => {
  it('stops at once, not root, naming the exact install command', () => {
    const system = fakeSystem(1000);
    const result = system.run();
    expect(result.status).toBe(1);
    const packages = [...alsoMissing, 'clang-16', 'lld-16'].join(' ');
    expect(result.stderr).toContain(`missing: ${packages}`);
    expect(result.stderr).toContain(`sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages}'`);
    expect(system.aptCalls()).toEqual([]);
  });

  it('installs what is missing as root, through .ci/run.d', () => {
    const system = fakeSystem(0);
    const result = system.run();
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('installing missing Debian packages');
    expect(system.aptCalls()).toContain('apt-get install -y --no-install-recommends clang-16 lld-16');
  });

  it('fails, naming them, when the install ran but the packages are still missing', () => {
    const system = fakeSystem(0, true, false);
    const result = system.run();
    expect(system.aptCalls()).toContain('apt-get install -y --no-install-recommends clang-16 lld-16');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`still missing after the install: ${[...alsoMissing, 'clang-16', 'lld-16'].join(' ')}`);
  });

  it('says what to install on a system without apt-get', () => {
    const result = fakeSystem(0, false).run();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('This is not a Debian-like system');
  });
});
