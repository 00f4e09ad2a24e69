import type * as tf from '@tensorflow/tfjs-core';

/** A file of a public dataset: where it lives canonically, in a mirror, and how to verify it. */
export interface RemoteFile {
  /** Stable id and cache path, e.g. 'fashion-mnist/train-images-idx3-ubyte.gz'. */
  id: string;
  /** Canonical download URL (what a user's machine fetches). */
  url: string;
  /** sha256 of the canonical file (hex). */
  sha256?: string;
  /** Expected size in bytes, when known (checked before hashing, and a download stops past it). */
  size?: number;
  /**
   * Most bytes a download of this file may bring when its size cannot be checked exactly (a repacked
   * mirror copy, verified by structure); without it, the ceiling for unknown sizes in fetch.ts applies.
   */
  maxSize?: number;
  /** Size after decompression, for compressed files whose loader inflates them: nothing inflates past it. */
  unpackedSize?: number;
  /** Path of the same file inside a mirror laid out like ../shared/datasets. */
  mirrorPath: string;
  /**
   * How a mirror copy is verified: 'sha256' when the mirror is byte-identical, 'structure' when it is
   * known to be repacked (IMDB) and the loader validates its contents instead.
   */
  mirrorVerification: 'sha256' | 'structure';
}

export interface FetchedFile {
  path: string;
  source: 'cache' | 'mirror' | 'download';
  /** 'sha256' when the hash was checked, 'structure' when the loader must validate the contents. */
  verification: 'sha256' | 'structure';
  origin: string; // URL or mirror path it came from
}

/**
 * One split of a dataset, materialised a batch at a time: large inputs (Jena's windows) never exist
 * as one tensor, and the wasm heap only ever holds the current batch.
 */
export interface Split {
  size: number;
  /** Tensors for the samples at these indices, in that order; the caller disposes them. */
  take(indices: Int32Array): { x: tf.Tensor; y: tf.Tensor };
}

export interface LoadedData {
  train: Split;
  validation: Split;
  /** Provenance and data-quality notes recorded in results.json (source, bad values handled...). */
  notes: Record<string, unknown>;
  /** Non-optimizer reference lines on the validation loss, e.g. a naive forecast. */
  referenceLines?: { name: string; description: string; valLoss: number }[];
}

export interface DataContext {
  /** Directory or base URL of a dataset mirror laid out like the shared datasets directory (see data/README.md); undefined = canonical URLs. */
  mirror?: string;
  /** Root of the download cache (default `data/cache`). */
  cacheDir: string;
  /** Progress reporting for downloads and preprocessing. */
  log: (message: string) => void;
  /** Overrides of the download time limits (default: DEFAULT_DOWNLOAD_LIMITS in fetch.ts and the environment). */
  downloads?: Partial<DownloadLimits>;
}

/**
 * How long a download may take (data/README.md). A server that accepts the connection and then stalls,
 * or trickles forever, must not hang a run: each limit stops the download with a message naming the URL.
 */
export interface DownloadLimits {
  /** No response headers for this long. */
  headersTimeoutMs: number;
  /** No body bytes for this long (`OPTBENCH_DOWNLOAD_IDLE_TIMEOUT`, seconds). */
  idleTimeoutMs: number;
  /** The whole transfer (`OPTBENCH_DOWNLOAD_TIMEOUT`, seconds): 84 MB at ~50 kB/s. */
  totalTimeoutMs: number;
}

