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
