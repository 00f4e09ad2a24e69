import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/backend/kernels/index.js';
import { FUSED_LSTM, FusedLstmShapeError } from '../../src/backend/kernels/lstm.js';
import '../../src/backend/select.js';

// The fused LSTM's numerics are tested against tfjs ops in tests/train/kerasLstm.test.ts.
beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

describe('the fused LSTM kernels', () => {
  it('says which shapes do not fit', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([2, 3, 4]);
    const kernel = tf.zeros([5, 8]);
    const recurrent = tf.zeros([2, 8]);
    const bias = tf.zeros([8]);
    try {
      expect(() => tf.engine().runKernel(FUSED_LSTM, { x, kernel, recurrentKernel: recurrent, bias })).toThrow(FusedLstmShapeError);
      expect(() => tf.engine().runKernel(FUSED_LSTM, { x, kernel, recurrentKernel: recurrent, bias })).toThrow(/kernel \[5,8\]/);
    } finally {
      tf.dispose([x, kernel, recurrent, bias]);
    }
  });

  it('share the saved state with its clones (what tf.customGrad keeps), and copy every other tensor as wasm does', () => {
    const before = tf.memory().numBytes;
    const inputs = { x: tf.ones([2, 3, 4]), kernel: tf.ones([4, 8]), recurrentKernel: tf.ones([2, 8]), bias: tf.zeros([8]) };
    const [hLast, gates, cells, hiddens] = tf.engine().runKernel(FUSED_LSTM, inputs) as tf.Tensor[];
    const state = [gates, cells, hiddens];
    const clones = state.map((t) => tf.clone(t));
    clones.forEach((clone, i) => expect(clone.dataId).toBe(state[i].dataId));
    const copied = tf.clone(hLast);
    expect(copied.dataId).not.toBe(hLast.dataId);
    expect(Array.from(copied.dataSync())).toEqual(Array.from(hLast.dataSync()));
    const gateValues = Array.from(gates.dataSync());
    tf.dispose(state); // the clones keep the storage alive
    expect(Array.from(clones[0].dataSync())).toEqual(gateValues);
    tf.dispose([...clones, hLast, copied, ...Object.values(inputs)]);
    expect(tf.memory().numBytes).toBe(before); // shared storage freed once, with its last reference
  });
});
