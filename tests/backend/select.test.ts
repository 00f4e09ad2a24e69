import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { NATIVE_INSTALL, NATIVE_REPAIR, selectBackend } from '../../src/backend/select.js';
import { BackendUnavailableError } from '../../src/backend/errors.js';

const notInstalled = async () => {
  throw Object.assign(new Error("Cannot find package '@tensorflow/tfjs-node' imported from /x.js"), { code: 'ERR_MODULE_NOT_FOUND' });
};
const brokenInstall = async () => {
  throw Object.assign(new Error("Cannot find module '/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'"), { code: 'MODULE_NOT_FOUND' });
};

describe('backend selection', () => {
  it('falls back to wasm when tfjs-node is not installed, and says why', async () => {
    const choice = await selectBackend(undefined, notInstalled);
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.reason).toMatch(/not installed/);
    expect(choice.reason).toContain(NATIVE_INSTALL); // and how to get native speed
    expect(NATIVE_INSTALL).toContain('`npm install @tensorflow/tfjs-node`');
  });

  it('falls back to wasm when tfjs-node is installed but fails to load, naming the failure', async () => {
    const choice = await selectBackend(undefined, brokenInstall);
    expect(choice.name).toBe('wasm');
    expect(choice.reason).toMatch(/installed but failed to load/);
    expect(choice.reason).toMatch(/tfjs_binding\.node/);
    expect(choice.reason).toContain(NATIVE_REPAIR);
    expect(NATIVE_REPAIR).toContain('`npm rebuild @tensorflow/tfjs-node`');
  });

  it('refuses an explicit tensorflow request it cannot meet instead of falling back', async () => {
    await expect(selectBackend('tensorflow', brokenInstall)).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(selectBackend('tensorflow', notInstalled)).rejects.toThrow(/npm install @tensorflow\/tfjs-node|--backend wasm/);
  });

  it('runs cpu only when asked', async () => {
    const choice = await selectBackend('cpu');
    expect(choice.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const wasm = await selectBackend('wasm');
    expect(wasm.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('registers the training kernels wasm lacks', async () => {
    await selectBackend('wasm');
    const kernels = tf.getKernelsForBackend('wasm').map((k) => k.kernelName);
    expect(kernels).toContain('Conv2DBackpropFilter');
    expect(kernels).toContain('UnsortedSegmentSum');
  });
});
