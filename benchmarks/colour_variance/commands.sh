#!/usr/bin/env bash
# The paper's figure at full scale: unbiased test accuracy against color_var
# (0.020 ... 0.050) for every method, with the leakage probe. MNIST's four
# IDX files in data/mnist; one thread per run; checkpoints every epoch, so an
# interrupted call continues where it stopped when run again (the sweep
# resumes each run's last checkpoint and skips finished runs).
set -euo pipefail
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
W=work_dirs/colour_variance
SWEEP="python tools/analysis/sweep.py --dataset-options source=idx data_root=data/mnist \
  --dataloader-options num_workers=0 persistent_workers=False \
  --cfg-options default_hooks.checkpoint.interval=1 --work-root $W"

# baseline and Gray: seed 0 at every color_var; the baseline also seeds 1-2
# at 0.020, 0.035 and 0.050
$SWEEP --methods baseline gray --color-vars 0.020 0.025 0.030 0.035 0.040 0.045 0.050 --seeds 0
$SWEEP --methods baseline --color-vars 0.020 0.035 0.050 --seeds 1 2
# the 20-epoch recipe (the recommended one up to version 0.7): seed 0 at
# every color_var, seeds 1-2 at 0.020, 0.035 and 0.050
$SWEEP --methods lntl_20e --color-vars 0.020 0.050 0.035 0.025 0.030 0.040 0.045 --seeds 0
$SWEEP --methods lntl_20e --color-vars 0.020 0.035 0.050 --seeds 1 2
# BlindEye as searched on val (blindeye_cmnist.py): seeds 0-2 at 0.020,
# seed 0 at the other color_vars
$SWEEP --methods blindeye --color-vars 0.020 --seeds 0 1 2
$SWEEP --methods blindeye --color-vars 0.025 0.030 0.035 0.050 0.040 0.045 --seeds 0
# the paper's two stages: lnl_cmnist_from_baseline.py (10 unlearning
# epochs) from the last checkpoint of the baseline run of the same
# color_var and seed, seed 0 at every color_var
$SWEEP --methods baseline lntl_2stage=configs/lnl_cmnist_from_baseline.py \
  --load-from lntl_2stage=baseline \
  --color-vars 0.050 0.035 0.025 0.030 0.040 0.045 0.020 --seeds 0

# the recommended recipe (configs/lnl_cmnist.py) ran as the winner of the
# search past the paper, seeds 0-2 at every color_var:
# benchmarks/beyond_paper_search/commands.sh; the figure reads its rows there

# summary, the committed CSV (run folders relative to the work root), the
# figures, the table and its copy in the README
python tools/analysis/sweep.py --summarize-only --work-root $W
sed "s#$(realpath "$W")/##; s#$W/##" $W/results.csv > benchmarks/colour_variance/results.csv
python benchmarks/colour_variance/figure.py benchmarks/colour_variance/results.csv --readme README.md \
  --runs-from benchmarks/beyond_paper_search/results.csv lntl_wide_h_mu_step_warmup40=lntl
