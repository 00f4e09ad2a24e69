#!/usr/bin/env bash
# clang 16 and its lld (wasm32 target) for `npm run build:kernels -- --check`: the committed
# src/backend/kernels/simd/training_kernels*.wasm must be what training_kernels.c compiles to with that
# compiler (clang 14, Debian 12's default, emits relaxed SIMD's draft opcodes).
set -euo pipefail
if command -v clang-16 >/dev/null && [ -x /usr/lib/llvm-16/bin/wasm-ld ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends clang-16 lld-16
