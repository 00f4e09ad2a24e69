#!/usr/bin/env bash
# `npm test`'s own set-up (npm runs it as `pretest`): the Debian packages the suite needs beyond npm —
# Chromium for tests/report/browser.test.ts, DejaVu Sans for the PNG charts (src/report/render.ts), clang 16
# and its lld for the wasm kernels (`npm run build:kernels`, which pins that compiler). Missing ones are installed by .ci/run.d's scripts
# when running as root; otherwise this stops at once with the exact command to run. Never a silent skip.
set -euo pipefail
cd "$(dirname "$0")/.."

find_missing() {
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
  # The compiler build:kernels pins, and the wasm-ld it links with (asked the way the build script asks).
  if ! command -v clang-16 >/dev/null; then
    missing+=(clang-16 lld-16)
  elif ! [ -x "$(clang-16 --print-prog-name=wasm-ld)" ]; then
    missing+=(lld-16)
  fi
}
find_missing
[ "${#missing[@]}" -eq 0 ] && exit 0

install="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if ! command -v apt-get >/dev/null; then
  echo "npm test needs packages that are missing here: ${missing[*]} (Debian/Ubuntu names). This is not a Debian-like system:" >&2
  echo "install their equivalents (Chromium at /usr/bin/chromium, DejaVu Sans, clang 16 and its lld with the wasm32 target), then run npm test again." >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "npm test needs Debian packages that are missing: ${missing[*]}. Install them as root, then run npm test again:" >&2
  echo "  sudo sh -c '$install'" >&2
  exit 1
fi
echo "npm test: installing missing Debian packages: ${missing[*]}"
for script in .ci/run.d/*.sh; do
  "$BASH" "$script"
done
# An install that ran but did not provide the files (a renamed package, Ubuntu's chromium snap stub)
# must not surface later as a browser that fails to launch.
find_missing
if [ "${#missing[@]}" -ne 0 ]; then
  echo "npm test: still missing after the install: ${missing[*]}. Install them by hand (Chromium must be at /usr/bin/chromium), then run npm test again." >&2
  exit 1
fi
