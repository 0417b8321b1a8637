#!/usr/bin/env bash
# The main job offline as it was up to version 0.7: configs/lnl_cmnist_20e.py
# (then configs/lnl_cmnist.py) and configs/baseline_cmnist.py as they ship,
# on the embedded 5,000-digit sample (3,500 train / 500 val / 1,000 test),
# color_var 0.020. The configs' EpochLengthSampler draws 55,000 training
# digits per epoch from the sample, so each run takes as many iterations as
# on full MNIST.
# Usage (from the repository root): bash benchmarks/main_job_on_sample/commands.sh [WORK_ROOT]
set -euo pipefail
W=${1:-work_dirs/main_job_on_sample}
mkdir -p "$W/main_job"
sample="train_dataloader.dataset.source=sample val_dataloader.dataset.source=sample test_dataloader.dataset.source=sample"

# 1. The README's first command of the time (seed 0), alone on the machine
#    with all its cores, timed; then its checkpoint selected on val, tested.
#    Offline the command falls back to the sample by itself; source=sample
#    forces it.
start=$(date +%s)
python tools/train.py configs/lnl_cmnist_20e.py --work-dir "$W/main_job" --cfg-options $sample
echo "$(( $(date +%s) - start ))" > "$W/main_job/wall_seconds.txt"
python tools/test.py configs/lnl_cmnist_20e.py "$(ls "$W"/main_job/best_accuracy_top1_epoch_*.pth)" \
    --work-dir "$W/main_job/test" --out "$W/main_job/test_metrics.json" --out-item metrics \
    --cfg-options $sample

# 2. LNTL seeds 1-2 and the baseline's seeds 0-2 (train, then test the
#    checkpoint selected on val), one thread per run, two runs side by side.
#    tools/analysis/sweep.py sets randomness.seed and data_seed to the seed.
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
SWEEP="python tools/analysis/sweep.py --color-vars 0.020 \
  --dataset-options source=sample \
  --dataloader-options num_workers=0 persistent_workers=False --work-root $W/seeds"
$SWEEP --methods lntl_20e --seeds 1 && $SWEEP --methods baseline --seeds 0 &
$SWEEP --methods lntl_20e --seeds 2 && $SWEEP --methods baseline --seeds 1 2
wait
python tools/analysis/sweep.py --summarize-only --work-root "$W/seeds"
python benchmarks/main_job_on_sample/summarize.py "$W" > benchmarks/main_job_on_sample/table.md
