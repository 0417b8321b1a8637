#!/usr/bin/env bash
# Runner / loop in alternating rounds (tools/analysis/benchmark_train.py
# --rounds 3), baseline and LNTL, for the current tree ("after") and for the
# tree of another checkout ("before", its lnl_mm first on PYTHONPATH; the
# benchmark tool itself is this tree's), one right after the other.
# Usage: bash benchmarks/throughput/rounds/run.sh MNIST_DIR BEFORE_TREE [OUT_DIR]
# Run it with nothing else training (results.md was measured with the
# background trainings paused by kill -STOP).
set -euo pipefail
cd "$(dirname "$0")/../../.."
mnist=$1
before_tree=$2
out=${3:-work_dirs/throughput_rounds}
mkdir -p "$out"
data="train_dataloader.dataset.source=idx train_dataloader.dataset.data_root=$mnist"
for config in baseline_cmnist lnl_cmnist; do
  for variant in after before; do
    path=""
    [ "$variant" = before ] && path=$before_tree
    echo "== $config, $variant"
    PYTHONPATH=$path python tools/analysis/benchmark_train.py \
      "configs/$config.py" --iters "${ITERS:-100}" --rounds "${ROUNDS:-3}" \
      --out "$out/${config}_${variant}.json" --cfg-options $data
  done
done
