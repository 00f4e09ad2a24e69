#!/usr/bin/env bash
# clang and lld (wasm32 target) for `npm run build:kernels -- --check`: the committed
# src/backend/kernels/simd/training_kernels.wasm must be what training_kernels.c compiles to.
set -euo pipefail
if command -v clang >/dev/null && command -v wasm-ld >/dev/null; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends clang lld
