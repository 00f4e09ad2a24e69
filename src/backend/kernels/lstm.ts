import { type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from './simd/module.js';
import { release } from './wasm_ops.js';

/**
 * A whole LSTM sequence forward: inputs x [B, T, F], kernel [F, 4U], recurrentKernel [U, 4U], bias [4U]
 * (Keras gate order i, f, g, o; sigmoid gates, tanh); outputs the last hidden state [B, U], then what the
 * backward kernel needs: gates [T, B, 4U] (activated), cells and hiddens [T, B, U].
 */
export const FUSED_LSTM = 'OptbenchFusedLstm';
/**
 * Its backward pass (BPTT): inputs dy [B, U] and x, kernel, recurrentKernel plus the forward's gates, cells
 * and hiddens; outputs dx, dKernel, dRecurrentKernel, dBias, shaped as x, kernel, recurrentKernel, bias.
 */
export const FUSED_LSTM_GRAD = 'OptbenchFusedLstmGrad';

/** Thrown when the fused LSTM gets tensors whose shapes do not fit together. */
export class FusedLstmShapeError extends Error {
  override readonly name = 'FusedLstmShapeError';
  constructor(detail: string) {
    super(`Fused LSTM: ${detail}. Expected x [batch, timesteps, features], kernel [features, 4·units], recurrentKernel [units, 4·units], bias [4·units], all float32.`);
  }
}

export interface LstmDimensions {
  batch: number;
  timesteps: number;
  features: number;
  units: number;
}

/** The sequence's dimensions, after checking that x and the weights fit together. */
export function lstmDimensions(x: TensorInfo, kernel: TensorInfo, recurrentKernel: TensorInfo, bias: TensorInfo): LstmDimensions {
  if (x.shape.length !== 3) throw new FusedLstmShapeError(`x has shape [${x.shape}]`);
  const [batch, timesteps, features] = x.shape;
  const units = recurrentKernel.shape[0];
  const width = 4 * units;
  const fits =
    batch > 0 && timesteps > 0 && units > 0 &&
    kernel.shape.length === 2 && kernel.shape[0] === features && kernel.shape[1] === width &&
    recurrentKernel.shape.length === 2 && recurrentKernel.shape[1] === width &&
    bias.shape.length === 1 && bias.shape[0] === width;
  if (!fits) throw new FusedLstmShapeError(`got x [${x.shape}], kernel [${kernel.shape}], recurrentKernel [${recurrentKernel.shape}], bias [${bias.shape}]`);
  if ([x, kernel, recurrentKernel, bias].some((t) => t.dtype !== 'float32')) throw new FusedLstmShapeError('a tensor is not float32');
  return { batch, timesteps, features, units };
}

interface ForwardArgs {
  inputs: { x: TensorInfo; kernel: TensorInfo; recurrentKernel: TensorInfo; bias: TensorInfo };
  backend: BackendWasm;
}

/** `lstm_forward` of simd/training_kernels.c: one call for the whole sequence. */
function fusedLstm({ inputs, backend }: ForwardArgs): TensorInfo[] {
  const { x, kernel, recurrentKernel, bias } = inputs;
  const { batch, timesteps, features, units } = lstmDimensions(x, kernel, recurrentKernel, bias);
  const hLast = backend.makeOutput([batch, units], 'float32');
  const gates = backend.makeOutput([timesteps, batch, 4 * units], 'float32');
  const cells = backend.makeOutput([timesteps, batch, units], 'float32');
  const hiddens = backend.makeOutput([timesteps, batch, units], 'float32');
  const at = (t: TensorInfo) => heapOffset(backend, t);
  simdKernels(backend).lstm_forward({
    x: at(x), kernel: at(kernel), recurrentKernel: at(recurrentKernel), bias: at(bias),
    hLast: at(hLast), gates: at(gates), cells: at(cells), hiddens: at(hiddens), batch, timesteps, features, units,
  });
  return [hLast, gates, cells, hiddens];
}

interface BackwardArgs {
  inputs: {
    dy: TensorInfo; x: TensorInfo; kernel: TensorInfo; recurrentKernel: TensorInfo; bias: TensorInfo;
    gates: TensorInfo; cells: TensorInfo; hiddens: TensorInfo;
  };
  backend: BackendWasm;
}

/** `lstm_backward` of simd/training_kernels.c: BPTT over the whole sequence in one call. */
function fusedLstmGrad({ inputs, backend }: BackwardArgs): TensorInfo[] {
  const { dy, x, kernel, recurrentKernel, bias, gates, cells, hiddens } = inputs;
  const { batch, timesteps, features, units } = lstmDimensions(x, kernel, recurrentKernel, bias);
  const expect = (t: TensorInfo, shape: number[], name: string) => {
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new FusedLstmShapeError(`${name} has shape [${t.shape}], the forward pass gave [${shape}]`);
    }
  };
  expect(dy, [batch, units], 'dy');
  expect(gates, [timesteps, batch, 4 * units], 'gates');
  expect(cells, [timesteps, batch, units], 'cells');
  expect(hiddens, [timesteps, batch, units], 'hiddens');
  const dx = backend.makeOutput(x.shape, 'float32');
  const dKernel = backend.makeOutput(kernel.shape, 'float32');
  const dRecurrentKernel = backend.makeOutput(recurrentKernel.shape, 'float32');
  const dBias = backend.makeOutput(bias.shape, 'float32');
  // ∂L/∂z for every timestep, then ∂L/∂h and ∂L/∂c of the current one.
  const scratch = backend.makeOutput([timesteps * batch * 4 * units + 2 * batch * units], 'float32');
  const at = (t: TensorInfo) => heapOffset(backend, t);
  simdKernels(backend).lstm_backward({
    dy: at(dy), x: at(x), kernel: at(kernel), recurrentKernel: at(recurrentKernel), gates: at(gates), cells: at(cells),
    hiddens: at(hiddens), dx: at(dx), dKernel: at(dKernel), dRecurrentKernel: at(dRecurrentKernel), dBias: at(dBias),
    scratch: at(scratch), batch, timesteps, features, units,
  });
  release(backend, scratch);
  return [dx, dKernel, dRecurrentKernel, dBias];
}

export const fusedLstmConfig: KernelConfig = { kernelName: FUSED_LSTM, backendName: 'wasm', kernelFunc: fusedLstm as unknown as KernelFunc };
export const fusedLstmGradConfig: KernelConfig = { kernelName: FUSED_LSTM_GRAD, backendName: 'wasm', kernelFunc: fusedLstmGrad as unknown as KernelFunc };
