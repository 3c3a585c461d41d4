#!/usr/bin/env bash
# Install kg-engine into .venv and run the main job end to end on the embedded store.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "torch==2.13.0"
.venv/bin/python -m pip install --quiet -e .
.venv/bin/kg quickstart "$@"
