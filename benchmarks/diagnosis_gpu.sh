#!/usr/bin/env bash
# Diagnosis on a lent CUDA machine: a short fusion training and the speed benchmark, JSON to $OUT (or ./out).
# Usage: benchmarks/diagnosis_gpu.sh [KG_HOME]   (a home with `kg load hpo` done, or an empty folder)
set -euo pipefail
cd "$(dirname "$0")/.."
HOME_DIR="${1:-${KG_HOME:-/tmp/kg-diag-gpu}}"
OUT_DIR="${OUT:-./out}"
mkdir -p "$OUT_DIR"
PY="${PYTHON:-.venv/bin/python}"
KG="${KG:-.venv/bin/kg}"
"$PY" -c 'import torch; print("cuda", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")'
# the phenotype knowledge cache is built on first use (the store is not needed for diagnosis)
time "$KG" train fusion --task diagnosis --home "$HOME_DIR" --device cuda --epochs 3 --simulated 3000 --workers 8 \
  > "$OUT_DIR/train_fusion_cuda.json"
time "$PY" benchmarks/diagnosis_bench.py --home "$HOME_DIR" --cases 1000 --device cuda > "$OUT_DIR/diagnosis_bench_cuda.json"
cat "$OUT_DIR"/*.json
