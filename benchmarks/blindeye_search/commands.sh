#!/usr/bin/env bash
# BlindEye made fair: its confusion weight lambda and h's steps per
# iteration searched on the validation split at color_var 0.020, seed 0,
# with the budget LNTL's search had (8 two-stage runs of 10 unlearning
# epochs from one baseline checkpoint; LNTL's: 4 lambda/mu points and 4
# variants of h's steps and learning rate). Full MNIST's four IDX files in
# data/mnist; one thread per run; interrupted runs resume, finished ones are
# skipped. Ranked on val in WORK/search.md (test reported, never used).
set -euo pipefail
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
W=${1:-work_dirs/blindeye_search}
SWEEP="python tools/analysis/sweep.py --dataset-options source=idx data_root=data/mnist \
  --dataloader-options num_workers=0 persistent_workers=False \
  --cfg-options default_hooks.checkpoint.interval=1 --work-root $W \
  --color-vars 0.020 --seeds 0"
# the baseline that every search run starts from (its epoch_10.pth)
$SWEEP --methods baseline
$SWEEP --methods blindeye_2stage=benchmarks/blindeye_search/blindeye_cmnist_from_baseline.py \
  --load-from blindeye_2stage=baseline \
  --grid model.entropy_weight=0.01,0.1,1.0,10.0 model.bias_steps=1,3
