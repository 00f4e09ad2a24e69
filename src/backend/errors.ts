/** Errors of src/backend/, in one place: what went wrong and what to do about it. */

/** Thrown when a composite kernel needs a wasm kernel that is not registered (wasm backend not imported). */
export class MissingWasmKernelError extends Error {
  override readonly name = 'MissingWasmKernelError';
  constructor(kernelName: string) {
    super(
      `The wasm kernel '${kernelName}' is not registered. ` +
        `Import '@tensorflow/tfjs-backend-wasm' before calling registerWasmTrainingKernels().`,
    );
  }
}

/** Thrown for layouts the wasm backend cannot run (its forward Conv2D is NHWC-only too). */
export class UnsupportedConvLayoutError extends Error {
  override readonly name = 'UnsupportedConvLayoutError';
  constructor(kernelName: string, dataFormat: string) {
    super(`${kernelName} on wasm supports dataFormat 'NHWC' only, got '${dataFormat}'. Use channels-last tensors.`);
  }
}

export class BackendUnavailableError extends Error {
  constructor(readonly backend: string, detail: string) {
    super(`backend '${backend}' is not available: ${detail}`);
    this.name = 'BackendUnavailableError';
  }
}
