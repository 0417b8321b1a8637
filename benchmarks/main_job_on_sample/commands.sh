#!/usr/bin/env bash
# The main job offline: configs/lnl_cmnist.py and configs/baseline_cmnist.py
# as they ship, on the embedded 5,000-digit sample (3,500 train / 500 val /
# 1,000 test), color_var 0.020, seeds 0-2. The configs' EpochLengthSampler
# passes over the 3,500 training digits 16 times per epoch, so each run takes
# as many iterations as on full MNIST.
# Usage (from the repository root): bash benchmarks/main_job_on_sample/commands.sh [WORK_ROOT]
set -euo pipefail
W=${1:-work_dirs/main_job_on_sample}
mkdir -p "$W"

# 1. The README's first command, alone on the machine (all cores), timed.
#    Offline it falls back to the sample by itself; source=sample forces it.
start=$(date +%s)
python tools/train.py configs/lnl_cmnist.py --work-dir "$W/main_job" \
    --cfg-options train_dataloader.dataset.source=sample \
    val_dataloader.dataset.source=sample test_dataloader.dataset.source=sample
echo "$(( $(date +%s) - start ))" > "$W/main_job/wall_seconds.txt"

# 2. Seeds 0-2 of both configs (train, then test the checkpoint selected on
#    val), one thread per run, two runs side by side.
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
SWEEP="python tools/analysis/sweep.py --color-vars 0.020 \
  --dataset-options source=sample \
  --dataloader-options num_workers=0 persistent_workers=False --work-root $W/seeds"
$SWEEP --methods lntl --seeds 1 0 &
$SWEEP --methods lntl --seeds 2 && $SWEEP --methods baseline --seeds 0 1 2
wait
python tools/analysis/sweep.py --summarize-only --work-root "$W/seeds"
python benchmarks/main_job_on_sample/summarize.py "$W" \
    > benchmarks/main_job_on_sample/table.md
