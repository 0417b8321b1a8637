# The exact commands behind benchmarks/full_scale (2026-11-28, 2-core CPU machine,
# two streams of one-thread runs side by side; the code: a snapshot of lnl_mm taken in the previous session,
# configs/lnl_cmnist_recommended.py there = configs/lnl_cmnist.py here, configs/lnl_cmnist.py there = lnl_cmnist_paper.py here).
# sourced by the stream scripts: one-thread runs of the code snapshot
export PYTHONPATH=$HOME/runs/code1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONUNBUFFERED=1
cd $HOME/runs/code1
DATA="source=idx data_root=../shared/data/mnist"
LOADER="num_workers=0 persistent_workers=False"
SWEEP="python tools/analysis/sweep.py --dataset-options $DATA --dataloader-options $LOADER"

# ---- stream1.sh
# The paper's exact schedule at color_var 0.020, seed 0: 100 baseline epochs,
# then 100 unlearning epochs (lr 0.001) from its last checkpoint.
$SWEEP --methods baseline lntl_2stage=configs/lnl_cmnist_from_baseline.py \
  --load-from lntl_2stage=baseline --color-vars 0.020 --seeds 0 --epochs 100 \
  --work-root $HOME/runs/paper_exact

# ---- stream2.sh
# Short schedule (10 epochs, lr x0.1 at 4 and 8; two-stage: 10 + 10), cv 0.020.
W=$HOME/runs/full_cv020_10e
$SWEEP --methods baseline lntl_2stage=configs/lnl_cmnist_from_baseline.py \
  --load-from lntl_2stage=baseline --color-vars 0.020 --seeds 0 --epochs 10 --work-root $W
# search on val, seed 0, from the same baseline
S=$HOME/runs/search_full_cv020_10e
mkdir -p $S/runs && ln -sfn $W/runs/baseline $S/runs/baseline
$SWEEP --methods baseline lntl_2stage=configs/lnl_cmnist_from_baseline.py \
  --load-from lntl_2stage=baseline --color-vars 0.020 --seeds 0 --epochs 10 --work-root $S \
  --grid model.entropy_weight=0.1,1.0 model.bias_neck.mu=1.0,10.0
$SWEEP --methods gray lntl --color-vars 0.020 --seeds 0 --epochs 10 --work-root $W

# ---- stream2b.sh
# Continues stream2.sh: waits for its running sweep (the faithful two-stage
# run, seed 0), then searches lambda/mu one setting at a time (most promising
# first), then Gray and the one-run LNTL.
W=$HOME/runs/full_cv020_10e
S=$HOME/runs/search_full_cv020_10e
mkdir -p $S/runs && ln -sfn $W/runs/baseline $S/runs/baseline
for point in "0.1 1.0" "1.0 1.0" "0.1 10.0" "1.0 10.0"; do
  set -- $point
  $SWEEP --methods lntl_2stage=configs/lnl_cmnist_from_baseline.py \
    --load-from lntl_2stage=baseline --color-vars 0.020 --seeds 0 --epochs 10 --work-root $S \
    --grid model.entropy_weight=$1 model.bias_neck.mu=$2
done
$SWEEP --methods gray lntl --color-vars 0.020 --seeds 0 --epochs 10 --work-root $W

# ---- streamA.sh
# Session 2, stream A: 3-seed replication at color_var 0.020, 10 epochs.
W=$HOME/runs/full_cv020_10e
S=$HOME/runs/search_full_cv020_10e
$SWEEP --methods baseline --color-vars 0.020 --seeds 0 1 2 --epochs 10 --work-root $W
$SWEEP --methods lntl_2stage=configs/lnl_cmnist_from_baseline.py --load-from lntl_2stage=baseline \
  --color-vars 0.020 --seeds 0 1 2 --epochs 10 --work-root $S \
  --grid model.entropy_weight=0.1 model.bias_neck.mu=1.0
$SWEEP --methods lntl_2stage=configs/lnl_cmnist_from_baseline.py --load-from lntl_2stage=baseline \
  --color-vars 0.020 --seeds 0 1 2 --epochs 10 --work-root $W
$SWEEP --methods gray lntl --color-vars 0.020 --seeds 0 1 2 --epochs 10 --work-root $W

# ---- streamB.sh
# Session 2, stream B: finish the paper's exact schedule (resumes at epoch 50),
# then BlindEye seeds and color_var 0.050.
$SWEEP --methods baseline lntl_2stage=configs/lnl_cmnist_from_baseline.py \
  --load-from lntl_2stage=baseline --color-vars 0.020 --seeds 0 --epochs 100 \
  --work-root $HOME/runs/paper_exact
$SWEEP --methods blindeye --color-vars 0.020 --seeds 0 1 2 --epochs 10 --work-root $HOME/runs/full_cv020_10e

# ---- streamA2.sh
# Session 2, stream A (reordered): after the tuned two-stage seeds, the
# recommended one-run recipe seed 2, then seed 1 of the faithful two-stage,
# Gray and the paper-lambda one-run LNTL, then the paper-exact resume.
W=$HOME/runs/full_cv020_10e
$SWEEP --methods lntl_recommended=configs/lnl_cmnist_recommended.py --color-vars 0.020 \
  --seeds 2 --work-root $HOME/runs/rec_seed2
$SWEEP --methods lntl_2stage=configs/lnl_cmnist_from_baseline.py --load-from lntl_2stage=baseline \
  --color-vars 0.020 --seeds 1 --epochs 10 --work-root $W
$SWEEP --methods gray lntl --color-vars 0.020 --seeds 1 --epochs 10 --work-root $W
$SWEEP --methods baseline lntl_2stage=configs/lnl_cmnist_from_baseline.py \
  --load-from lntl_2stage=baseline --color-vars 0.020 --seeds 0 --epochs 100 \
  --work-root $HOME/runs/paper_exact

# ---- streamC2.sh
# Session 2, stream C (reordered): the recommended recipe's seeds 0 and 1
# here; seed 2 runs in stream A2, so this sweep is stopped when it reaches
# seed 2. Then seed 2 of the faithful two-stage, Gray and the paper-lambda
# one-run LNTL, then BlindEye.
W=$HOME/runs/full_cv020_10e
$SWEEP --methods lntl_2stage=configs/lnl_cmnist_from_baseline.py --load-from lntl_2stage=baseline \
  --color-vars 0.020 --seeds 2 --epochs 10 --work-root $W
$SWEEP --methods gray lntl --color-vars 0.020 --seeds 2 --epochs 10 --work-root $W
$SWEEP --methods blindeye --color-vars 0.020 --seeds 0 1 2 --epochs 10 --work-root $W

# ---- summary
python benchmarks/full_scale/collect.py --out $HOME/runs/summary_10e baseline=$HOME/runs/full_cv020_10e/runs/baseline gray=$HOME/runs/full_cv020_10e/runs/gray lntl_paper=$HOME/runs/full_cv020_10e/runs/lntl lntl_2stage_paper=$HOME/runs/full_cv020_10e/runs/lntl_2stage "lntl_2stage_tuned=$HOME/runs/search_full_cv020_10e/runs/lntl_2stage__model.entropy_weight=0.1+model.bias_neck.mu=1.0" lntl=$HOME/runs/full_cv020_10e/runs/lntl_recommended lntl=$HOME/runs/rec_seed2/runs/lntl_recommended

# ---- Session 3 (2026-11-29), on a new machine (the earlier run folders were gone with the old one).
# Code snapshot: main at 0e440e7 (git archive into $HOME/runs/code2); the same environment as above.
# ---- streamA.sh: the paper-lambda one-run LNTL seeds 1-2, then BlindEye seeds 0-2 (cv 0.020, 10 epochs).
W=$HOME/runs/full_cv020_10e
$SWEEP --methods lntl_paper --color-vars 0.020 --seeds 1 2 --epochs 10 --work-root $W
$SWEEP --methods blindeye --color-vars 0.020 --seeds 0 1 2 --epochs 10 --work-root $W
# ---- streamB.sh: Gray seeds 1-2 at cv 0.020 (again: last session's folders were lost),
# then color_var 0.050, seed 0: baseline, Gray, two-stage LNTL (lambda 0.1, mu 1.0), recommended one-run.
$SWEEP --methods gray --color-vars 0.020 --seeds 1 2 --epochs 10 --work-root $W
W5=$HOME/runs/full_cv050_10e
$SWEEP --methods baseline gray --color-vars 0.050 --seeds 0 --epochs 10 --work-root $W5
$SWEEP --methods lntl_2stage=configs/lnl_cmnist_from_baseline.py --load-from lntl_2stage=baseline \
  --color-vars 0.050 --seeds 0 --epochs 10 --work-root $W5 \
  --grid model.entropy_weight=0.1 model.bias_neck.mu=1.0
$SWEEP --methods lntl --color-vars 0.050 --seeds 0 --work-root $W5
# ---- summaries: benchmarks/full_scale/{results.csv,table_cv020_session3.md,table_cv050.md,curves_*.png}
R=$HOME/runs/full_cv020_10e/runs; R5=$HOME/runs/full_cv050_10e/runs
python benchmarks/full_scale/collect.py --out $HOME/runs/summary_s3_cv020 gray=$R/gray lntl_paper=$R/lntl_paper blindeye=$R/blindeye
python benchmarks/full_scale/collect.py --out $HOME/runs/summary_s3_cv050 baseline=$R5/baseline gray=$R5/gray \
  "lntl_2stage_tuned=$R5/lntl_2stage__model.entropy_weight=0.1+model.bias_neck.mu=1.0" lntl=$R5/lntl
python benchmarks/full_scale/readme_table.py <session-2 results.csv> $HOME/runs/summary_s3_cv020/results.csv \
  $HOME/runs/summary_s3_cv050/results.csv --out benchmarks/full_scale/results.csv

# ==== Session 4 (2026-11-29), code snapshots: code3 = git archive 87cc20a,
# code4 = git archive 644f1a0 (adds UnlearningStartHook and
# configs/lnl_cmnist_two_stage_one_run.py); same common settings as above.
# ---- streamA4.sh: the paper's exact schedule at cv 0.020, seed 0, checkpoint every epoch (resumable)
$SWEEP --methods baseline lntl_2stage=configs/lnl_cmnist_from_baseline.py --load-from lntl_2stage=baseline \
  --color-vars 0.020 --seeds 0 --epochs 100 --cfg-options default_hooks.checkpoint.interval=1 \
  --work-root $HOME/runs/paper_exact
# ---- streamB4.sh (code3): the recommended one run with the two stages' lr profile (x0.1 at 4, 8, 14, 18;
# x10 at 10), seed 0 (ran as configs/lnl_cmnist_matched_lr.py in the snapshot; committed as
# benchmarks/full_scale/configs/lnl_cmnist_matched_lr.py)
$SWEEP --methods lntl_matched_lr=benchmarks/full_scale/configs/lnl_cmnist_matched_lr.py --color-vars 0.020 --seeds 0 --epochs 20 \
  --work-root $HOME/runs/recipes_s4
# ---- streamB4b/B4c/C4 (code4): the two stages in one run, seeds 0, 2 and 1
$SWEEP --methods lntl_two_stage_one_run=configs/lnl_cmnist_two_stage_one_run.py --color-vars 0.020 --seeds 0 \
  --epochs 20 --work-root $HOME/runs/recipes_s4
$SWEEP --methods lntl_two_stage_one_run=configs/lnl_cmnist_two_stage_one_run.py --color-vars 0.020 --seeds 2 \
  --epochs 20 --work-root $HOME/runs/recipes_s4_s2
$SWEEP --methods lntl_two_stage_one_run=configs/lnl_cmnist_two_stage_one_run.py --color-vars 0.020 --seeds 1 \
  --epochs 20 --work-root $HOME/runs/recipes_s4_s1
# ---- ablation (code4): which reset matters. Resume seed 1's end-of-warm-up checkpoint (epoch_10.pth,
# copied before it was rotated away, with the run's config.py) with one reset only:
#   python tools/train.py seed1_config.py --work-dir ~/runs/ablate/h_only --resume seed1_epoch_10.pth \
#     --cfg-options default_hooks.unlearning_start.reset_optimizer_state=False
#   python tools/train.py seed1_config.py --work-dir ~/runs/ablate/momentum_only --resume seed1_epoch_10.pth \
#     --cfg-options 'default_hooks.unlearning_start.modules=[]'        # finished in session 5
# ---- summaries: the two stages in one run became configs/lnl_cmnist.py in lnl_mm 0.3 (the same
# resolved config); results.csv's rows were relabelled: lntl (the 0.2 recipe) -> lntl_session3,
# lntl_two_stage_one_run -> lntl. To run them today:
#   $SWEEP --methods lntl --color-vars 0.020 --seeds 0 1 2 --work-root <dir>

# ==== Session 5 (2026-11-29), same snapshots; the two streams above continued with --resume:
#   streamA4.sh (the paper-exact unlearning stage) and
#   ablate.sh momentum_only 'default_hooks.unlearning_start.modules=[]'
# code5 = git archive 6a8429b (lnl_cmnist.py = the two stages in one run).
# ---- streamB5.sh: the recommended lnl_cmnist.py at color_var 0.050, seed 0
$SWEEP --methods lntl --color-vars 0.050 --seeds 0 --cfg-options default_hooks.checkpoint.interval=1 \
  --work-root $HOME/runs/recipes_s5_cv050
# ---- streamC5.sh: a 4th seed (3) at color_var 0.020: the recommended recipe, then the study's baseline
$SWEEP --methods lntl --color-vars 0.020 --seeds 3 --cfg-options default_hooks.checkpoint.interval=1 \
  --work-root $HOME/runs/recipes_s5_seed3
$SWEEP --methods baseline --color-vars 0.020 --seeds 3 --epochs 10 --work-root $HOME/runs/recipes_s5_seed3
# ---- streamD5.sh: the faithful two-stage LNTL (paper's lambda/mu) for seed 3, from stream C's baseline
$SWEEP --methods baseline lntl_2stage=configs/lnl_cmnist_from_baseline.py --load-from lntl_2stage=baseline \
  --color-vars 0.020 --seeds 3 --epochs 10 --work-root $HOME/runs/recipes_s5_seed3

# ==== Session 6 (2026-11-29). The paper-exact unlearning stage (session-4 stream A, code3) finished
# with --resume; its last checkpoint was tested for the paper's protocol:
#   python tools/test.py <run>/config.py <run>/train/epoch_100.pth --work-dir <run>/test_last \
#     --out <run>/test_last_metrics.json --out-item metrics
# ---- redraws (code5): seeds 2 and 1 of lnl_cmnist.py resumed from their end-of-warm-up checkpoints
# (epoch 10, kept in ~/runs/warm10 with the runs' config.py) under another training seed. MMEngine
# resumes with the checkpoint's seed, so the seed in a copy of the checkpoint's meta is replaced first;
# data_seed (the data, split and colours) is unchanged.
#   python -c "import sys, torch; c = torch.load(sys.argv[1], weights_only=False); \
#     c['meta']['seed'] = int(sys.argv[3]); torch.save(c, sys.argv[2])" seed2_epoch_10.pth start.pth 102
#   python tools/train.py seed2_config.py --work-dir ~/runs/redraw/seed2_draw102 --resume start.pth \
#     --cfg-options randomness.seed=102
#   then tools/test.py on the run's best_accuracy_top1_epoch_*.pth; the same with 202 (seed 2) and
#   101 (seed 1, from seed1_epoch_10.pth).
# ---- streamE6.sh (code5): the real two stages with lambda 0.1 / mu 1.0 on seed 3, from stream C5's baseline
$SWEEP --methods lntl_2stage=configs/lnl_cmnist_from_baseline.py --load-from lntl_2stage=baseline \
  --color-vars 0.020 --seeds 3 --epochs 10 --work-root $HOME/runs/recipes_s5_seed3 \
  --grid model.entropy_weight=0.1 model.bias_neck.mu=1.0
python benchmarks/full_scale/collect.py --out $HOME/runs/summary_s6_seed3 \
  "lntl_2stage_tuned=$HOME/runs/recipes_s5_seed3/runs/lntl_2stage__model.entropy_weight=0.1+model.bias_neck.mu=1.0"
python benchmarks/full_scale/readme_table.py benchmarks/full_scale/results.csv \
  $HOME/runs/summary_s6_seed3/results.csv --out benchmarks/full_scale/results.csv
# ---- streamF6.sh (code5): first point of the h learning-rate search, the same with h's lr x10
$SWEEP --methods lntl_2stage=configs/lnl_cmnist_from_baseline.py --load-from lntl_2stage=baseline \
  --color-vars 0.020 --seeds 3 --epochs 10 --work-root $HOME/runs/recipes_s5_seed3 \
  --grid model.entropy_weight=0.1 model.bias_neck.mu=1.0 optim_wrapper.bias.optimizer.lr=0.01

# ==== Session 7 (2026-11-29). code7 = git archive c1f7513 (adds model.bias_steps and the switch-relative
# mu ramp); common settings as above, PYTHONPATH=code7.
# ---- streamH7.sh (code5), seeds 0 1 2 (two processes side by side): fresh 10-epoch baselines, then the
# two stages with lambda 0.1 / mu 1.0 and h's lr x10
W=$HOME/runs/recipes_s7_hlr
$SWEEP --methods baseline --color-vars 0.020 --seeds $s --epochs 10 --work-root $W
$SWEEP --methods lntl_2stage=configs/lnl_cmnist_from_baseline.py --load-from lntl_2stage=baseline \
  --color-vars 0.020 --seeds $s --epochs 10 --work-root $W \
  --grid model.entropy_weight=0.1 model.bias_neck.mu=1.0 optim_wrapper.bias.optimizer.lr=0.01
# ---- streamJ7.sh (code7): the same with 3 h steps per iteration, seed 3, from stream C5's baseline
$SWEEP --methods lntl_2stage=configs/lnl_cmnist_from_baseline.py --load-from lntl_2stage=baseline \
  --color-vars 0.020 --seeds 3 --epochs 10 --work-root $HOME/runs/recipes_s5_seed3 \
  --grid model.entropy_weight=0.1 model.bias_neck.mu=1.0 optim_wrapper.bias.optimizer.lr=0.01 model.bias_steps=3
# ---- streamL7.sh / streamM7.sh (code7): its replication on seeds 2 and 1 (work root $W); seed 0 was
# dropped for the steps-only runs below once seed 2 came out below its default
$SWEEP --methods lntl_2stage=configs/lnl_cmnist_from_baseline.py --load-from lntl_2stage=baseline \
  --color-vars 0.020 --seeds $s --epochs 10 --work-root $W \
  --grid model.entropy_weight=0.1 model.bias_neck.mu=1.0 optim_wrapper.bias.optimizer.lr=0.01 model.bias_steps=3
# ---- streamP7.sh / streamQ7.sh (code7): 3 h steps WITHOUT h's lr x10, seed 2 (work root $W) and seed 3
# (work root $HOME/runs/recipes_s5_seed3, stream C5's baseline)
$SWEEP --methods lntl_2stage=configs/lnl_cmnist_from_baseline.py --load-from lntl_2stage=baseline \
  --color-vars 0.020 --seeds $s --epochs 10 --work-root $W \
  --grid model.entropy_weight=0.1 model.bias_neck.mu=1.0 model.bias_steps=3
# ---- streamR7.sh / streamS7.sh (code7): the same on seeds 0 and 1 with a checkpoint every epoch, still
# running when session 7 ended; rerun the same command to resume
$SWEEP --methods lntl_2stage=configs/lnl_cmnist_from_baseline.py --load-from lntl_2stage=baseline \
  --color-vars 0.020 --seeds $s --epochs 10 --work-root $W --cfg-options default_hooks.checkpoint.interval=1 \
  --grid model.entropy_weight=0.1 model.bias_neck.mu=1.0 model.bias_steps=3

# ==== Session 8 (2026-11-29), code7 as in session 7.
# ---- streamA8.sh: the 3-h-step two-stage run on seed 1 resumed (the streamR7/S7 command, --seeds 1);
# then the one-run lnl_cmnist.py with 3 h steps on seeds 2 and 0 (W8=$HOME/runs/recipes_s8_steps)
# ---- streamB8.sh: the same one-run on seed 3; streamC8.sh (seed 0) and streamD8.sh (seed 1) ran it beside
# A and B (up to four trainings on the 2 cores), after A's and B's loops were cut to their first seed
$SWEEP --methods lntl --color-vars 0.020 --seeds $s --work-root $W8 \
  --cfg-options default_hooks.checkpoint.interval=1 --grid model.bias_steps=3
# ---- summary of the 3-h-step two stages (the README's row "3 `h` steps, two stages")
python benchmarks/full_scale/collect.py --out $HOME/runs/summary_s8_steps3 \
  "lntl_2stage_steps3=$W/runs/lntl_2stage__model.entropy_weight=0.1+model.bias_neck.mu=1.0+model.bias_steps=3" \
  "lntl_2stage_steps3=$HOME/runs/recipes_s5_seed3/runs/lntl_2stage__model.entropy_weight=0.1+model.bias_neck.mu=1.0+model.bias_steps=3"
python benchmarks/full_scale/readme_table.py benchmarks/full_scale/results.csv \
  $HOME/runs/summary_s8_steps3/results.csv --out benchmarks/full_scale/results.csv
python benchmarks/full_scale/session4_runs/collect_partial.py
# ---- the one run with 3 h steps became configs/lnl_cmnist.py; its rows (method lntl) replaced the
# one-step rows, renamed lntl_session4 in results.csv (benchmarks/full_scale/configs/lnl_cmnist_session4.py)
python benchmarks/full_scale/collect.py --out $HOME/runs/summary_s8_onerun "lntl=$W8/runs/lntl__model.bias_steps=3"
python benchmarks/full_scale/readme_table.py benchmarks/full_scale/results.csv \
  $HOME/runs/summary_s8_onerun/results.csv --out benchmarks/full_scale/results.csv
# ---- the session-8 figure and table (curves_cv020_session8.png, table_cv020_session8.md)
R=$HOME/runs
python benchmarks/full_scale/collect.py --out $R/summary_s8_curves \
  baseline=$R/recipes_s7_hlr/runs/baseline baseline=$R/recipes_s5_seed3/runs/baseline \
  "lntl_2stage_steps3=$W/runs/lntl_2stage__model.entropy_weight=0.1+model.bias_neck.mu=1.0+model.bias_steps=3" \
  "lntl_2stage_steps3=$R/recipes_s5_seed3/runs/lntl_2stage__model.entropy_weight=0.1+model.bias_neck.mu=1.0+model.bias_steps=3" \
  lntl_session4=$R/summary_s4/runs/lntl_two_stage_one_run lntl_session4=$R/summary_s5_seed3/runs/lntl \
  "lntl=$W8/runs/lntl__model.bias_steps=3"
# ---- README set-up, first command, in a fresh venv on a clean clone (offline: the embedded sample)
pip install -e . && python tools/train.py configs/lnl_cmnist.py
