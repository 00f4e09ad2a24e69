/**
 * Float64 references of the example optimizers (examples/optimizers/), one coordinate at a time, written
 * straight from each paper's update rule and independently of the tensor code under test, in the form of
 * tests/optimizers/reference.ts.
 */
import type { ReferenceOptimizer } from '../../optimizers/reference.js';

/** Lion — Chen et al. 2023, Algorithm 2: c = β₁m + (1−β₁)g;  θ −= η(sign(c) + λθ);  m = β₂m + (1−β₂)g. */
export const lion = (lr: number, beta1: number, beta2: number, weightDecay: number): ReferenceOptimizer => (size) => {
  const m = new Float64Array(size);
  return (w, g) => {
    for (let i = 0; i < size; i++) {
      const c = beta1 * m[i] + (1 - beta1) * g[i];
      w[i] -= lr * (Math.sign(c) + weightDecay * w[i]);
      m[i] = beta2 * m[i] + (1 - beta2) * g[i];
    }
  };
};

/**
 * AdaBelief — Zhuang et al. 2020, Algorithm 2: m = β₁m + (1−β₁)g;  s = β₂s + (1−β₂)(g−m)² + ε;
 * m̂ = m/(1−β₁ᵗ);  ŝ = s/(1−β₂ᵗ);  θ −= α·m̂/(√ŝ + ε).
 */
export const adabelief = (lr: number, beta1: number, beta2: number, epsilon: number): ReferenceOptimizer => (size) => {
  const m = new Float64Array(size);
  const s = new Float64Array(size);
  let t = 0;
  return (w, g) => {
    t += 1;
    for (let i = 0; i < size; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      s[i] = beta2 * s[i] + (1 - beta2) * (g[i] - m[i]) ** 2 + epsilon;
      const mHat = m[i] / (1 - beta1 ** t);
      const sHat = s[i] / (1 - beta2 ** t);
      w[i] -= (lr * mHat) / (Math.sqrt(sHat) + epsilon);
    }
  };
};
