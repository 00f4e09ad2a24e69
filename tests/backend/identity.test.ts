import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/backend/kernels/index.js';
import { FUSED_LSTM } from '../../src/backend/kernels/lstm.js';
import '../../src/backend/select.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

describe('kernels that keep the values share storage on wasm (tf.clone and what the tape keeps, same-dtype casts, identity transposes)', () => {
  it('shares the storage of its input, which lives until the last tensor using it is disposed', () => {
    const before = tf.memory().numBytes;
    const inputs = { x: tf.ones([2, 3, 4]), kernel: tf.ones([4, 8]), recurrentKernel: tf.ones([2, 8]), bias: tf.zeros([8]) };
    const outputs = tf.engine().runKernel(FUSED_LSTM, inputs) as tf.Tensor[];
    const plain = tf.tensor2d([[1, 2], [3, 4]]);
    for (const source of [...outputs, plain]) {
      const values = Array.from(source.dataSync());
      const clone = tf.clone(source);
      expect(clone.dataId).toBe(source.dataId);
      source.dispose();
      expect(Array.from(clone.dataSync())).toEqual(values);
      clone.dispose();
    }
    tf.dispose(Object.values(inputs));
    expect(tf.memory().numBytes).toBe(before); // shared storage freed once, with its last reference
  });

  it('leaves a clone of a variable unchanged when the variable is assigned (optimizer updates swap storage)', () => {
    const variable = tf.variable(tf.tensor1d([1, 2, 3]));
    const kept = tf.clone(variable);
    variable.assign(tf.tensor1d([7, 8, 9]));
    expect(Array.from(kept.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(variable.dataSync())).toEqual([7, 8, 9]);
    tf.dispose([variable, kept]);
  });

  it('still copies strings (wasm keeps them outside the heap)', () => {
    const words = tf.tensor1d(['a', 'b'], 'string');
    const clone = tf.clone(words);
    expect(clone.dataId).not.toBe(words.dataId);
    expect(clone.dataSync()).toEqual(words.dataSync());
    tf.dispose([words, clone]);
  });

  it('shares for a cast to the same dtype and a transpose by the identity permutation, and computes the others', () => {
    const x = tf.tensor2d([[1.5, -2], [3, 0]]);
    const same = [tf.cast(x, 'float32'), tf.transpose(x, [0, 1])];
    same.forEach((t) => expect(t.dataId).toBe(x.dataId));
    const converted = tf.cast(x, 'int32');
    const transposed = tf.transpose(x);
    expect(Array.from(converted.dataSync())).toEqual([1, -2, 3, 0]);
    expect(Array.from(transposed.dataSync())).toEqual([1.5, 3, -2, 0]);
    tf.dispose([x, ...same, converted, transposed]);
  });
});
