#!/usr/bin/env bash
# Compiles src/backend/kernels/simd/training_kernels.c into the two committed builds the loader chooses from
# (simd/module.ts): training_kernels.relaxed.wasm (relaxed SIMD: fused multiply-add) and training_kernels.wasm
# (plain SIMD128, for runtimes without relaxed SIMD).
#   npm run build:kernels            rebuild them
#   npm run build:kernels -- --check fail if a committed binary is not what the source compiles to
# Needs clang 16 and its lld with the wasm32 target (Debian 12: apt-get install clang-16 lld-16): clang 14 knows
# relaxed SIMD only by its draft opcodes, which no runtime accepts; one pinned compiler keeps the bytes stable.
set -euo pipefail
cd "$(dirname "$0")/../src/backend/kernels/simd"

CLANG="${CLANG:-clang-16}"
if ! command -v "$CLANG" >/dev/null || ! [ -x "$("$CLANG" --print-prog-name=wasm-ld)" ]; then
  echo "build-wasm-kernels: $CLANG and its wasm-ld are needed (Debian 12: apt-get install clang-16 lld-16)." >&2
  exit 2
fi

# -mbulk-memory: zero-fill loops become memory.fill (there is no libc memset). --import-memory: the kernels
# work on the wasm backend's own heap. __stack_pointer is exported so the loader can point the stack at a
# block malloc'ed from that heap (simd/module.ts). No -g: the binary must not depend on the build path.
build() {
  local out="$1"
  shift
  "$CLANG" --target=wasm32 -O3 -msimd128 -mbulk-memory -mmutable-globals -nostdlib -Wall -Wextra -Werror "$@" \
    -Wl,--no-entry -Wl,--import-memory -Wl,--export=__stack_pointer -Wl,--strip-all \
    -o "$out" training_kernels.c
}
build_variant() {
  case "$1" in
    training_kernels.wasm) build "$2" ;;
    training_kernels.relaxed.wasm) build "$2" -mrelaxed-simd -DOPTBENCH_FUSED_MULTIPLY_ADD ;;
  esac
}
variants=(training_kernels.wasm training_kernels.relaxed.wasm)

if [ "${1:-}" = "--check" ]; then
  fresh="$(mktemp)"
  trap 'rm -f "$fresh"' EXIT
  for variant in "${variants[@]}"; do
    build_variant "$variant" "$fresh"
    if ! cmp -s "$fresh" "$variant"; then
      echo "$variant is not what training_kernels.c compiles to ($("$CLANG" --version | head -n 1))." >&2
      echo "Run \`npm run build:kernels\` and commit the result." >&2
      exit 1
    fi
  done
  echo "${variants[*]} match training_kernels.c"
else
  for variant in "${variants[@]}"; do
    build_variant "$variant" "$variant.tmp"
    mv "$variant.tmp" "$variant"
    echo "wrote src/backend/kernels/simd/$variant ($(wc -c < "$variant") bytes)"
  done
fi
