/**
 * Registry of every remote file the experiments read: canonical URL, integrity data and mirror path.
 * Hashes and sizes are the canonical files' (docs/study.md, "Data sources"); a mirror holds each file at
 * `<mirror>/<mirrorPath>` (layout in data/README.md).
 */
import type { RemoteFile } from './types.js';

const KERAS_DATASETS_BASE = 'https://storage.googleapis.com/tensorflow/tf-keras-datasets';

function fashionMnistFile(name: string, sha256: string, size: number, unpackedSize: number): RemoteFile {
  return {
    id: `fashion-mnist/${name}`,
    url: `${KERAS_DATASETS_BASE}/${name}`,
    sha256,
    size,
    unpackedSize,
    mirrorPath: `fashion-mnist/${name}`,
    // The mirror is byte-identical to the canonical files (README §1).
    mirrorVerification: 'sha256',
  };
}

/** Fashion-MNIST, the four gzipped IDX files Keras downloads. */
export const FASHION_MNIST_FILES = {
  trainImages: fashionMnistFile(
    'train-images-idx3-ubyte.gz',
    '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
    26421880,
    16 + 60_000 * 28 * 28, // IDX header (magic + 3 dimensions) + pixels
  ),
  trainLabels: fashionMnistFile(
    'train-labels-idx1-ubyte.gz',
    'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
    29515,
    8 + 60_000,
  ),
  testImages: fashionMnistFile(
    't10k-images-idx3-ubyte.gz',
    '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
    4422102,
    16 + 10_000 * 28 * 28,
  ),
  testLabels: fashionMnistFile(
    't10k-labels-idx1-ubyte.gz',
    '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
    5148,
    8 + 10_000,
  ),
} as const satisfies Record<string, RemoteFile>;

/** Boston housing, the exact Keras npz (x: 506×13 float64, y: 506 float64). */
export const BOSTON_HOUSING_FILE: RemoteFile = {
  id: 'boston-housing/boston_housing.npz',
  url: `${KERAS_DATASETS_BASE}/boston_housing.npz`,
  sha256: 'f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5',
  size: 57026,
  mirrorPath: 'boston-housing/boston_housing.npz',
  mirrorVerification: 'sha256',
};

/**
 * IMDB Large Movie Review Dataset v1.0. The mirror copy is repacked (different bytes, no .feat files),
 * so it cannot match the canonical hash: the loader validates its structure instead.
 */
export const IMDB_ARCHIVE_FILE: RemoteFile = {
  id: 'imdb/aclImdb_v1.tar.gz',
  url: 'https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz',
  sha256: 'c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe',
  // Content-Length served by ai.stanford.edu, also the `num_bytes` TFDS records for this file.
  size: 84125825,
  // The repacked mirror copy has another size (57 MB here): a download from a mirror may bring up to this.
  maxSize: 200_000_000,
  mirrorPath: 'imdb/aclImdb_v1.tar.gz',
  mirrorVerification: 'structure',
};

/**
 * Jena climate 2009-2016 as packaged by Keras. No sha256 of the zip is published anywhere we could
 * check, so only its size is verified here; the loader must check the CSV inside (43,164,220 bytes,
 * md5 959915f05bfafef18e471a97ae679535, 420,551 rows). No mirror copy exists yet (SOURCES.md).
 */
export const JENA_CLIMATE_FILE: RemoteFile = {
  id: 'jena-climate/jena_climate_2009_2016.csv.zip',
  url: `${KERAS_DATASETS_BASE}/jena_climate_2009_2016.csv.zip`,
  size: 13565642,
  mirrorPath: 'jena-climate/jena_climate_2009_2016.csv.zip',
  mirrorVerification: 'sha256',
};
