import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select.js';
import { EXPERIMENTS } from '../experiments/index.js';
import { SeededRandom } from '../src/common/random.js';
import { syntheticSplit } from '../src/bench/synthetic.js';
import { train } from '../src/train/loop.js';

const name = process.argv[2];
const steps = Number(process.argv[3] ?? 6);
const bs = process.argv[4] ? Number(process.argv[4]) : undefined;
await selectBackend('wasm');
const exp = (EXPERIMENTS as any)[name];
const profile = exp.profiles.full;
const batchSize = bs ?? profile.batchSize;
const model = exp.buildModel(new SeededRandom(1), profile);
const optimizer = tf.train.adam();
const data = syntheticSplit(model, exp.loss, batchSize * steps, 2);
const one = { size: batchSize, take: data.take };
const run = (d: any) => train({ model, optimizer, train: d, validation: null, loss: exp.loss, metric: exp.metric.name, epochs: 1, batchSize, seed: 1 });
await run(one); await run(one); if (process.env.PRE) await run(data);
const self = new Map<string, number[]>();
const counts = new Map<string, number>();
const childMs: number[] = [];
for (const config of tf.getKernelsForBackend('wasm')) {
  const original = config.kernelFunc; const m = config as any;
  m.kernelFunc = (args: any) => {
    childMs.push(0);
    const u0 = process.cpuUsage(); const s = performance.now(); const out = original(args); const wallE = performance.now() - s; const du = process.cpuUsage(u0); const e = process.env.WALL ? wallE : (du.user + du.system) / 1000;
    const nested = childMs.pop() ?? 0;
    if (childMs.length > 0) childMs[childMs.length - 1] += e;
    const shapes = Object.entries(args.inputs).map(([k, v]: any) => `${k}${JSON.stringify(v?.shape)}`).join(' ');
    const key = `${config.kernelName} ${shapes}`;
    const arr = self.get(key) ?? []; arr.push(e - nested); self.set(key, arr);
    return out;
  };
}
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const outcome = await run(data);
const wall = performance.now() - t0; const cpu = process.cpuUsage(cpu0);
const rows = [...self].map(([k, v]) => ({ k, n: v.length / steps, ms: v.reduce((a, b) => a + b, 0) / steps })).sort((a, b) => b.ms - a.ms);
const total = rows.reduce((a, r) => a + r.ms, 0);
console.log(`${name} batch ${batchSize}: step wall ${(outcome.trainSeconds * 1000 / steps).toFixed(1)} ms, cpu ${((cpu.user + cpu.system) / 1000 / steps).toFixed(1)} ms/step, in kernels ${total.toFixed(1)} ms, kernel calls/step ${rows.reduce((a, r) => a + r.n, 0)}`);
for (const r of rows.slice(0, Number(process.env.TOP ?? 30))) console.log(`${r.ms.toFixed(2).padStart(9)} ms  x${r.n.toFixed(1).padStart(5)}  ${r.k}`);
