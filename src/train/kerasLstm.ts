/**
 * An LSTM layer with Keras 2.x's semantics, fused into two kernel calls per training step where the backend
 * has the fused kernels (wasm), built from tfjs ops elsewhere (cpu, tensorflow).
 *
 * Keras 2.x's `LSTM` (the study's era): recurrent activation sigmoid, activation tanh, `unit_forget_bias=True`
 * (forget-gate bias initialised to 1, the rest of the bias to 0), gate order [i | f | g | o], returns the last
 * hidden state. tfjs-layers' `lstm` defaults differ (hard sigmoid, no unit forget bias); with those two options
 * set it computes the same function, which the tests check.
 *
 * Why a layer of our own: tfjs-layers unrolls the sequence into ~80 small operations per timestep (~20,000
 * kernel calls per step at 240 timesteps, most of the step's time in per-operation overhead). Here the whole
 * sequence is one forward kernel call and its gradient (BPTT) one more (`tf.customGrad`): what the backward
 * pass needs (gates, cells, hidden states) is saved in tensors, which the tape disposes after the gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { FUSED_LSTM, FUSED_LSTM_GRAD } from '../backend/kernels/lstm.js';

type Initializer = ReturnType<typeof tfl.initializers.zeros>;
type LayerVariable = ReturnType<tfl.layers.Layer['addWeight']>;

export interface KerasLstmArgs {
  units: number;
  /** [timesteps, features]; needed when this is a model's first layer. */
  inputShape?: [number, number];
  /** Keras default: glorot uniform. */
  kernelInitializer: Initializer;
  /** Keras default: orthogonal. */
  recurrentInitializer: Initializer;
  name?: string;
}

/** Zeros with ones in the forget gate's quarter (Keras' `unit_forget_bias=True`), for a bias of [4·units]. */
export function unitForgetBias(units: number): Initializer {
  const initializer = {
    apply: () => tf.tidy(() => tf.concat([tf.zeros([units]), tf.ones([units]), tf.zeros([2 * units])])),
    getClassName: () => 'UnitForgetBias',
    getConfig: () => ({ units }),
  };
  return initializer as unknown as Initializer;
}

/** The last hidden state of an LSTM over x [B, T, F], from tfjs ops (any backend; autodiff for the gradient). */
export function lstmFromOps(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const [batch, timesteps, features] = x.shape;
    const units = recurrentKernel.shape[0];
    const projected = tf.add(tf.reshape(tf.matMul(tf.reshape(x, [batch * timesteps, features]), kernel), [batch, timesteps, 4 * units]), bias);
    let h: tf.Tensor2D = tf.zeros([batch, units]);
    let c: tf.Tensor2D = tf.zeros([batch, units]);
    // tfjs's Unpack gradient fails for a single slice, hence the reshape for one timestep.
    const inputParts = timesteps === 1 ? [tf.reshape(projected, [batch, 4 * units])] : tf.unstack(projected, 1);
    for (const inputPart of inputParts) {
      const z = tf.add(inputPart, tf.matMul(h, recurrentKernel));
      const [zi, zf, zg, zo] = tf.split(z, 4, 1);
      const [i, f, g, o] = [tf.sigmoid(zi), tf.sigmoid(zf), tf.tanh(zg), tf.sigmoid(zo)];
      c = tf.add(tf.mul(f, c), tf.mul(i, g));
      h = tf.mul(o, tf.tanh(c));
    }
    return h;
  });
}

/** The same function in two wasm kernel calls (src/backend/kernels/lstm.ts): the forward pass and its gradient. */
const fusedLstm = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, kernel, recurrentKernel, bias] = args as tf.Tensor[];
  const save = args[4] as tf.GradSaveFunc;
  const [hLast, gates, cells, hiddens] = tf.engine().runKernel(FUSED_LSTM, { x, kernel, recurrentKernel, bias }) as tf.Tensor[];
  save([x, kernel, recurrentKernel, bias, gates, cells, hiddens]);
  return {
    value: hLast,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sKernel, sRecurrentKernel, sBias, sGates, sCells, sHiddens] = saved;
      return tf.engine().runKernel(FUSED_LSTM_GRAD, {
        dy, x: sx, kernel: sKernel, recurrentKernel: sRecurrentKernel, bias: sBias, gates: sGates, cells: sCells, hiddens: sHiddens,
      }) as tf.Tensor[];
    },
  };
});

/** True when the active backend has the fused LSTM kernels (wasm, after registerWasmTrainingKernels). */
export function hasFusedLstm(): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(FUSED_LSTM, backend) !== undefined && tf.getKernel(FUSED_LSTM_GRAD, backend) !== undefined;
}

/** The LSTM's last hidden state: fused kernels where the backend has them, tfjs ops otherwise. */
export function lstmLastState(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  return hasFusedLstm() ? (fusedLstm(x, kernel, recurrentKernel, bias) as tf.Tensor2D) : lstmFromOps(x, kernel, recurrentKernel, bias);
}

export class KerasLstm extends tfl.layers.Layer {
  static readonly className = 'KerasLstm';
  private readonly units: number;
  private readonly kernelInitializer: Initializer;
  private readonly recurrentInitializer: Initializer;
  private kernel?: LayerVariable;
  private recurrentKernel?: LayerVariable;
  private bias?: LayerVariable;

  constructor(args: KerasLstmArgs) {
    super({ name: args.name, inputShape: args.inputShape });
    if (!Number.isInteger(args.units) || args.units < 1) throw new RangeError(`LSTM units must be a positive integer, got ${args.units}`);
    this.units = args.units;
    this.kernelInitializer = args.kernelInitializer;
    this.recurrentInitializer = args.recurrentInitializer;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const features = shape[shape.length - 1];
    if (shape.length !== 3 || features === null) throw new RangeError(`KerasLstm needs inputs [batch, timesteps, features], got [${shape}]`);
    const width = 4 * this.units;
    // Created in Keras' order (kernel, recurrent kernel, bias), so initialisers draw as tfjs-layers' LSTM does.
    this.kernel = this.addWeight('kernel', [features, width], 'float32', this.kernelInitializer);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, width], 'float32', this.recurrentInitializer);
    this.bias = this.addWeight('bias', [width], 'float32', unitForgetBias(this.units));
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return [shape[0], this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
    return lstmLastState(x, this.kernel!.read() as tf.Tensor2D, this.recurrentKernel!.read() as tf.Tensor2D, this.bias!.read() as tf.Tensor1D);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }
}
tf.serialization.registerClass(KerasLstm);
