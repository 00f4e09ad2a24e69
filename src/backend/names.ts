/**
 * The backends' names, without loading any of them: the command line's help and validation need the
 * names before (and without) loading TensorFlow.js.
 */
export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
