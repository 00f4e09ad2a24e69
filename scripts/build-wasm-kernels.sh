#!/usr/bin/env bash
# Compiles src/backend/kernels/simd/training_kernels.c into the committed training_kernels.wasm.
#   npm run build:kernels            rebuild it
#   npm run build:kernels -- --check fail if the committed binary is not what the source compiles to
# Needs clang and lld with the wasm32 target (Debian: apt-get install clang lld).
set -euo pipefail
cd "$(dirname "$0")/../src/backend/kernels/simd"

if ! command -v clang >/dev/null || ! command -v wasm-ld >/dev/null; then
  echo "build-wasm-kernels: clang and wasm-ld are needed (Debian/Ubuntu: apt-get install clang lld)." >&2
  exit 2
fi

# -mbulk-memory: zero-fill loops become memory.fill (there is no libc memset). --import-memory: the kernels
# work on the wasm backend's own heap. __stack_pointer is exported so the loader can point the stack at a
# block malloc'ed from that heap (simd/module.ts). No -g: the binary must not depend on the build path.
build() {
  clang --target=wasm32 -O3 -msimd128 -mbulk-memory -mmutable-globals -nostdlib -Wall -Wextra -Werror \
    -Wl,--no-entry -Wl,--import-memory -Wl,--export=__stack_pointer -Wl,--strip-all \
    -o "$1" training_kernels.c
}

if [ "${1:-}" = "--check" ]; then
  fresh="$(mktemp)"
  trap 'rm -f "$fresh"' EXIT
  build "$fresh"
  if ! cmp -s "$fresh" training_kernels.wasm; then
    echo "training_kernels.wasm is not what training_kernels.c compiles to ($(clang --version | head -n 1))." >&2
    echo "Run \`npm run build:kernels\` and commit the result." >&2
    exit 1
  fi
  echo "training_kernels.wasm matches training_kernels.c"
else
  tmp="training_kernels.wasm.tmp"
  build "$tmp"
  mv "$tmp" training_kernels.wasm
  echo "wrote src/backend/kernels/simd/training_kernels.wasm ($(wc -c < training_kernels.wasm) bytes)"
fi
