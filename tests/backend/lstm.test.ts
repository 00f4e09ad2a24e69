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
});
