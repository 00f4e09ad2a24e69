import v8 from 'node:v8';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select.js';
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
await selectBackend('wasm');
const backend = tf.backend() as any;
const heap = backend.wasm;
const memory = heap.asm.memory as WebAssembly.Memory;
function inst(path: string) {
  const i = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), { env: { memory } });
  const sp = i.exports.__stack_pointer as WebAssembly.Global;
  const bottom = heap._malloc(65536); sp.value = (bottom + 65536) & ~15;
  return i.exports as any;
}
const A = inst(process.argv[2]); const B = inst(process.argv[3]);
const off = (t: tf.Tensor) => backend.getMemoryOffset(t.dataId);
// IMDB conv1: batch 128, 1x500x128 -> 1x494x32, kernel 1x7
const [N, H, W, C, K, CO] = [128, 1, 500, 128, 7, 32];
const OW = W - K + 1;
const x = tf.randomNormal([N, H, W, C]); const w = tf.randomNormal([1, K, C, CO]);
const out = tf.zeros([N, 1, OW, CO]); const taps = tf.zeros([K * C], 'int32');
const dy = tf.randomNormal([N, 1, OW, CO]); const dw = tf.zeros([1, K, C, CO]);
const geo = [N, H, W, C, 1, OW, CO, 1, 1, 1, K];
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const res: Record<string, number[]> = {};
const time = (label: string, f: () => void) => { const c = cpu(); const t = performance.now(); f(); const dt = performance.now() - t, dc = cpu() - c; (res[label] ??= []).push(dc); (res[label + ' wall'] ??= []).push(dt); };
for (let r = 0; r < 7; r++) {
  for (const [name, m] of [['plain', A], ['fma', B]] as const) {
    time(`${name} conv fwd`, () => m.conv2d_valid(off(x), off(w), off(out), off(taps), ...geo));
    time(`${name} filter grad`, () => m.conv2d_backprop_filter_valid(off(x), off(dy), off(dw), ...geo));
  }
}
const med = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
for (const [k, v] of Object.entries(res)) console.log(k.padEnd(22), 'median', med(v).toFixed(1), 'ms  min', Math.min(...v).toFixed(1), '  GMAC/s (median)', (N * OW * K * C * CO / med(v) / 1e6).toFixed(1));
