/** What a run ran on: recorded in results.json so numbers can be compared honestly. */
import { createRequire } from 'node:module';
import os from 'node:os';
import type { BackendChoice } from '../backend/select.js';
import type { EnvironmentInfo } from './schema.js';

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

export function describeEnvironment(backend: BackendChoice): EnvironmentInfo {
  const cpus = os.cpus();
  return {
    backend: backend.name,
    backendReason: backend.reason,
    versions: {
      optbench: (require('../../package.json') as { version: string }).version,
      node: process.versions.node,
      '@tensorflow/tfjs-core': packageVersion('@tensorflow/tfjs-core'),
      '@tensorflow/tfjs-layers': packageVersion('@tensorflow/tfjs-layers'),
      // The wasm backend runs some kernels from the cpu package's shared implementations.
      '@tensorflow/tfjs-backend-cpu': packageVersion('@tensorflow/tfjs-backend-cpu'),
      backendPackage: backend.packageVersion,
    },
    ...(backend.kernels ? { kernels: backend.kernels } : {}),
    platform: process.platform,
    arch: process.arch,
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length },
    hostname: os.hostname(),
  };
}
