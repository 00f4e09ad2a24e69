import * as tf from '@tensorflow/tfjs-core';

/** This process's CPU time (user + system) in ms: unlike the wall clock, it does not count time other processes ran. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Runs `run` (which may await) with every kernel of `backend` wrapped to accumulate its self time in ms (time in kernels it
 * calls itself, as the composite training kernels do, is charged to the callee), measured as this process's CPU
 * time so that a shared machine's other processes are not charged to the kernel they interrupted. Synchronous
 * backends only (wasm, cpu): asynchronous ones would charge a kernel only for queuing its work.
 */
export async function profileKernels<T>(backend: string, run: () => T | Promise<T>): Promise<{ result: T; selfMs: Map<string, number> }> {
  const selfMs = new Map<string, number>();
  const childMs: number[] = [];
  const restore: (() => void)[] = [];
  for (const config of tf.getKernelsForBackend(backend)) {
    const original = config.kernelFunc;
    const mutable = config as { kernelFunc: typeof original };
    mutable.kernelFunc = (args) => {
      childMs.push(0);
      const start = cpuMs();
      const out = original(args);
      const elapsed = cpuMs() - start;
      const nested = childMs.pop() ?? 0;
      if (childMs.length > 0) childMs[childMs.length - 1] += elapsed;
      selfMs.set(config.kernelName, (selfMs.get(config.kernelName) ?? 0) + elapsed - nested);
      return out;
    };
    restore.push(() => (mutable.kernelFunc = original));
  }
  try {
    return { result: await run(), selfMs };
  } finally {
    restore.forEach((undo) => undo());
  }
}
