#!/usr/bin/env bash
# Throughput of the Runner against a hand-written loop on this machine
# (tools/analysis/benchmark_train.py), baseline and LNTL, before and after
# the throughput changes, one right after the other:
#   before: 2 dataloader workers (the 0.1 default) and contiguous tensors
#   after:  the shipped configs (num_workers='auto', channels_last)
# Usage: bash benchmarks/throughput/run.sh [MNIST_DIR] [OUT_DIR]
# MNIST_DIR holds the four IDX files (default data/mnist); run it on a quiet
# machine, nothing else training.
set -euo pipefail
cd "$(dirname "$0")/../.."
mnist=${1:-data/mnist}
out=${2:-work_dirs/throughput}
mkdir -p "$out"
data="train_dataloader.dataset.source=idx train_dataloader.dataset.data_root=$mnist"
before="train_dataloader.num_workers=2 train_dataloader.persistent_workers=True data_preprocessor.channels_last=False"
for config in baseline_cmnist lnl_cmnist; do
  for variant in before after; do
    extra=""
    [ "$variant" = before ] && extra=$before
    echo "== $config, $variant"
    python tools/analysis/benchmark_train.py "configs/$config.py" \
      --iters "${ITERS:-200}" --warmup "${WARMUP:-10}" --rounds "${ROUNDS:-1}" \
      --out "$out/${config}_${variant}.json" --cfg-options $data $extra
  done
done
python - "$out" <<'PY'
import json, sys, os.path as osp
out = sys.argv[1]
print('| config | variant | Runner img/s | loop img/s | Runner / loop | pipeline img/s | peak RSS MiB |')
print('|---|---|---|---|---|---|---|')
for config in ('baseline_cmnist', 'lnl_cmnist'):
    for variant in ('before', 'after'):
        r = json.load(open(osp.join(out, f'{config}_{variant}.json')))
        print(f"| {config} | {variant} | {r['runner_img_s']:.0f} | "
              f"{r['loop_img_s']:.0f} | {r['runner_over_loop']:.2f} | "
              f"{r['pipeline_img_s']:.0f} | {r['peak_rss_mib']:.0f} |")
PY
