import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select.js';
import { FUSED_LSTM, FUSED_LSTM_GRAD } from '../src/backend/kernels/lstm.js';
await selectBackend('wasm');
const [B, T, F, U] = [128, 240, 14, 32];
const x = tf.randomNormal([B, T, F]); const k = tf.randomNormal([F, 4 * U], 0, 0.3); const r = tf.randomNormal([U, 4 * U], 0, 0.3); const b = tf.zeros([4 * U]);
const dy = tf.randomNormal([B, U]);
const xc = tf.randomNormal([128, 26, 26, 32]); const wc = tf.randomNormal([3, 3, 32, 64]);
const fwdMac = B * T * (F + U) * 4 * U, bwdMac = B * T * 2 * (F + U) * 4 * U, convMac = 128 * 24 * 24 * 9 * 32 * 64;
for (let round = 0; round < 4; round++) {
  let t0 = performance.now();
  const outs = tf.engine().runKernel(FUSED_LSTM, { x, kernel: k, recurrentKernel: r, bias: b }) as tf.Tensor[];
  const tf1 = performance.now() - t0;
  t0 = performance.now();
  const grads = tf.engine().runKernel(FUSED_LSTM_GRAD, { dy, x, kernel: k, recurrentKernel: r, bias: b, gates: outs[1], cells: outs[2], hiddens: outs[3] }) as tf.Tensor[];
  const tb = performance.now() - t0;
  t0 = performance.now();
  const c = tf.conv2d(xc as tf.Tensor4D, wc as tf.Tensor4D, 1, 'valid');
  const tc = performance.now() - t0;
  console.log(`fwd ${tf1.toFixed(1)} ms (${(fwdMac / tf1 / 1e6).toFixed(1)} GMAC/s)  bwd ${tb.toFixed(1)} ms (${(bwdMac / tb / 1e6).toFixed(1)} GMAC/s)  conv ${tc.toFixed(1)} ms (${(convMac / tc / 1e6).toFixed(1)} GMAC/s)`);
  tf.dispose([...outs, ...grads, c]);
}
