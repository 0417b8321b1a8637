#!/usr/bin/env bash
# The palette and the test images behind the gaps to the paper's Baseline
# and Gray rows (benchmarks/palette/README.md). MNIST's four IDX files in
# data/mnist; one thread per run; checkpoints every epoch, so an
# interrupted call continues where it stopped when run again.
set -euo pipefail
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

# the estimated palette against the default, from the measured colours
python benchmarks/palette/estimate.py benchmarks/palette/samples.csv
# (samples.csv's paper_figure rows: measure_figure.py on the figure PNG)

# Baseline, Gray and the recommended recipe on the estimated palette, seed 0
W=work_dirs/palette
SWEEP="python tools/analysis/sweep.py \
  --dataset-options source=idx data_root=data/mnist palette=paper_estimate \
  --dataloader-options num_workers=0 persistent_workers=False \
  --cfg-options default_hooks.checkpoint.interval=1 --work-root $W"
$SWEEP --methods baseline gray --color-vars 0.050 --seeds 0
$SWEEP --methods baseline gray lntl_20e --color-vars 0.020 --seeds 0
$SWEEP --methods lntl_20e --color-vars 0.050 --seeds 0
# seed 1 of the recipe, two runs side by side
$SWEEP --methods lntl_20e --color-vars 0.050 --seeds 1 &
$SWEEP --methods lntl_20e --color-vars 0.020 --seeds 1
wait
python tools/analysis/sweep.py --summarize-only --work-root $W
sed "s#$(realpath "$W")/##; s#$W/##" $W/results.csv > benchmarks/palette/results.csv

# Gray on the default palette (as benchmarks/colour_variance), seed 0
G=work_dirs/palette_gray_default
python tools/analysis/sweep.py \
  --dataset-options source=idx data_root=data/mnist \
  --dataloader-options num_workers=0 persistent_workers=False \
  --cfg-options default_hooks.checkpoint.interval=1 --work-root $G \
  --methods gray --color-vars 0.050 0.020 --seeds 0

# every Gray checkpoint tested on the original grey MNIST test digits (the
# train split's options matter only to the leakage probe, which is
# meaningless there: every test digit has the same colour)
original_test() {  # RUN_DIR COLOR_VAR [extra --cfg-options]
  local run=$1 cv=$2; shift 2
  python tools/test.py configs/gray_cmnist_original_test.py \
    "$run"/train/best_accuracy_top1_epoch_*.pth --work-dir "$run"/original_test \
    --cfg-options test_dataloader.dataset.source=idx \
    test_dataloader.dataset.data_root=data/mnist \
    train_dataloader.dataset.source=idx train_dataloader.dataset.data_root=data/mnist \
    train_dataloader.dataset.color_var="$cv" "$@" \
    test_dataloader.num_workers=0 train_dataloader.num_workers=0 \
    test_dataloader.persistent_workers=False train_dataloader.persistent_workers=False
}
for cv in 0.020 0.050; do
  original_test $W/runs/gray/cv$cv/seed0 $cv train_dataloader.dataset.palette=paper_estimate
  original_test $G/runs/gray/cv$cv/seed0 $cv
done
python benchmarks/palette/original_test_csv.py $W/runs/gray/cv0.0?0/seed0 \
  $G/runs/gray/cv0.0?0/seed0 > benchmarks/palette/original_test.csv
