#!/usr/bin/env bash
# Runs (or continues) the study profiles whose data this machine has, 3 seeds each, into reference/:
#   bash scripts/run-study.sh [workers]
# Each run resumes the newest matching run under reference/, so the same command continues an interrupted study.
# It runs at the lowest CPU priority so that a machine in use stays responsive.
set -euo pipefail
cd "$(dirname "$0")/.."
workers="${1:-2}"
export OPTBENCH_DATA_MIRROR="${OPTBENCH_DATA_MIRROR:-$(cd .. && pwd)/shared/datasets}"
for experiment in ${STUDY_EXPERIMENTS:-boston surfaces fashion imdb}; do
  nice -n 19 npm run --silent experiment -- "$experiment" --profile study --seed 1 --seeds 3 \
    --workers "$workers" --backend wasm --out reference --resume --no-report
done
