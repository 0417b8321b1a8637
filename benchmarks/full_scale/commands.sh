# The commands behind benchmarks/full_scale/ (README.md there says which file
# each block makes). Full MNIST: the four IDX files in data/mnist. Every run
# uses one thread and no dataloader workers. Work roots go under $RUNS; a
# sweep skips runs that have a result.json, and an interrupted run continues
# with --resume when its sweep is started again.
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONUNBUFFERED=1
RUNS=${RUNS:-$HOME/runs}
SWEEP="python tools/analysis/sweep.py --dataset-options source=idx data_root=data/mnist
  --dataloader-options num_workers=0 persistent_workers=False"
TWO_STAGE="lntl_2stage=configs/lnl_cmnist_from_baseline.py --load-from lntl_2stage=baseline"
TUNED="model.entropy_weight=0.1 model.bias_neck.mu=1.0"     # lambda 0.1, mu 1.0
SUPERSEDED=benchmarks/full_scale/superseded_recipes

# ---- 1. The methods at color_var 0.020, 10 epochs (lr x0.1 at 4 and 8); a
# two-stage LNTL runs 10 unlearning epochs from its baseline's epoch_10.pth.
W=$RUNS/cv020_10e
$SWEEP --methods baseline $TWO_STAGE --color-vars 0.020 --seeds 0 1 2 3 --epochs 10 --work-root $W
$SWEEP --methods gray blindeye lntl_paper --color-vars 0.020 --seeds 0 1 2 --epochs 10 --work-root $W

# ---- 2. The lambda/mu search of the two-stage form (seed 0, ranked on val:
# search_lambda_mu_cv020.md), then the chosen point on seeds 1-3.
S=$RUNS/search_lambda_mu_cv020
mkdir -p $S/runs && ln -sfn $W/runs/baseline $S/runs/baseline
for point in "0.1 1.0" "1.0 1.0" "0.1 10.0" "1.0 10.0"; do
  set -- $point
  $SWEEP --methods $TWO_STAGE --color-vars 0.020 --seeds 0 --epochs 10 --work-root $S \
    --grid model.entropy_weight=$1 model.bias_neck.mu=$2
done
$SWEEP --methods $TWO_STAGE --color-vars 0.020 --seeds 1 2 3 --epochs 10 --work-root $S --grid $TUNED

# ---- 3. h's learning rate and steps per iteration in the two-stage form
# (h_lr_and_steps/two_stage_*), from 10-epoch baselines of the same seeds.
H=$RUNS/two_stage_h_lr_steps
mkdir -p $H/runs && ln -sfn $W/runs/baseline $H/runs/baseline
$SWEEP --methods $TWO_STAGE --color-vars 0.020 --seeds 0 1 2 3 --epochs 10 --work-root $H \
  --cfg-options default_hooks.checkpoint.interval=1 --grid $TUNED model.bias_steps=3
$SWEEP --methods $TWO_STAGE --color-vars 0.020 --seeds 0 1 2 3 --epochs 10 --work-root $H \
  --grid $TUNED optim_wrapper.bias.optimizer.lr=0.01
$SWEEP --methods $TWO_STAGE --color-vars 0.020 --seeds 1 2 3 --epochs 10 --work-root $H \
  --grid $TUNED optim_wrapper.bias.optimizer.lr=0.01 model.bias_steps=3

# ---- 4. One-run recipes at color_var 0.020, their own 20 epochs: the
# recommended configs/lnl_cmnist.py and the superseded recipes.
R=$RUNS/one_run_cv020
$SWEEP --methods lntl_20e --color-vars 0.020 --seeds 0 1 2 3 --work-root $R \
  --cfg-options default_hooks.checkpoint.interval=1
$SWEEP --methods lntl_one_h_step=$SUPERSEDED/lnl_cmnist_one_h_step.py --color-vars 0.020 \
  --seeds 0 1 2 3 --work-root $R \
  --cfg-options default_hooks.checkpoint.interval=1 default_hooks.checkpoint.max_keep_ckpts=-1
$SWEEP --methods lntl_no_resets=$SUPERSEDED/lnl_cmnist_no_resets.py --color-vars 0.020 \
  --seeds 0 1 2 --work-root $R
$SWEEP --methods lntl_matched_lr=$SUPERSEDED/lnl_cmnist_no_resets_two_stage_lr.py \
  --color-vars 0.020 --seeds 0 --work-root $R
# h's lr x10 in the one-step recipe (0.1 in the warm-up, 0.01 after the
# switch): h_lr_and_steps/one_run_hlr0.01_seed3_*
$SWEEP --methods lntl_one_h_step=$SUPERSEDED/lnl_cmnist_one_h_step.py --color-vars 0.020 \
  --seeds 3 --work-root $RUNS/one_run_h_lr --grid optim_wrapper.bias.optimizer.lr=0.1

# ---- 5. What the resets at the switch do (unlearning_start/): seed 1 of
# the one-step recipe resumed from its end-of-warm-up checkpoint (epoch 10)
# with one reset only; C is that run's folder.
C=$R/runs/lntl_one_h_step/cv0.020/seed1
python tools/train.py $C/config.py --work-dir $RUNS/unlearning_start/h_only --resume $C/train/epoch_10.pth \
  --cfg-options default_hooks.unlearning_start.reset_optimizer_state=False
python tools/train.py $C/config.py --work-dir $RUNS/unlearning_start/momentum_only \
  --resume $C/train/epoch_10.pth --cfg-options 'default_hooks.unlearning_start.modules=[]'
# A weak seed redrawn: the same checkpoints resumed under another training
# seed (data_seed unchanged, so only the randomness of epochs 11-20 changes).
# MMEngine resumes with the checkpoint's seed, so a copy's meta is changed.
for job in "2 102" "2 202" "1 101"; do
  set -- $job
  C=$R/runs/lntl_one_h_step/cv0.020/seed$1
  python -c "import sys, torch; c = torch.load(sys.argv[1], weights_only=False); \
c['meta']['seed'] = int(sys.argv[3]); torch.save(c, sys.argv[2])" \
    $C/train/epoch_10.pth /tmp/start_$2.pth $2
  python tools/train.py $C/config.py --work-dir $RUNS/unlearning_start/seed$1_draw$2 \
    --resume /tmp/start_$2.pth --cfg-options randomness.seed=$2
done
# then, in each of these work dirs (N: the val-selected epoch):
#   python tools/test.py config.py best_accuracy_top1_epoch_N.pth \
#     --out test_metrics.json --out-item metrics

# ---- 6. color_var 0.050, seed 0.
W5=$RUNS/cv050_10e
$SWEEP --methods baseline gray --color-vars 0.050 --seeds 0 --epochs 10 --work-root $W5
$SWEEP --methods $TWO_STAGE --color-vars 0.050 --seeds 0 --epochs 10 --work-root $W5 --grid $TUNED
$SWEEP --methods lntl_one_h_step=$SUPERSEDED/lnl_cmnist_one_h_step.py \
  lntl_no_resets=$SUPERSEDED/lnl_cmnist_no_resets.py --color-vars 0.050 --seeds 0 --work-root $W5

# ---- 7. The paper's exact schedule (paper_exact/), seed 0: 100 baseline
# epochs, then 100 unlearning epochs (lr 0.001, lambda 0.01, mu 0.1) from
# its epoch_100.pth; the last checkpoint is tested too (the paper's protocol).
P=$RUNS/paper_exact
$SWEEP --methods baseline $TWO_STAGE --color-vars 0.020 --seeds 0 --epochs 100 --work-root $P \
  --cfg-options default_hooks.checkpoint.interval=1
C=$P/runs/lntl_2stage/cv0.020/seed0
python tools/test.py $C/config.py $C/train/epoch_100.pth --work-dir $C/test_last \
  --out $C/test_last_metrics.json --out-item metrics

# ---- Summaries: results.csv and table.md, the val_curves_*.png figures
# (each the curves.png of a collect.py summary root), and the per-epoch CSVs.
GRID=lntl_2stage__model.entropy_weight=0.1+model.bias_neck.mu=1.0
python benchmarks/full_scale/collect.py --out $RUNS/summary_cv020 \
  baseline=$W/runs/baseline gray=$W/runs/gray blindeye=$W/runs/blindeye \
  lntl_paper=$W/runs/lntl_paper lntl_2stage_paper=$W/runs/lntl_2stage \
  lntl_2stage_tuned=$S/runs/$GRID lntl_2stage_steps3=$H/runs/$GRID+model.bias_steps=3 \
  lntl_20e=$R/runs/lntl_20e lntl_one_h_step=$R/runs/lntl_one_h_step \
  lntl_no_resets=$R/runs/lntl_no_resets lntl_matched_lr=$R/runs/lntl_matched_lr
python benchmarks/full_scale/collect.py --out $RUNS/summary_cv050 \
  baseline=$W5/runs/baseline gray=$W5/runs/gray lntl_2stage_tuned=$W5/runs/$GRID \
  lntl_one_h_step=$W5/runs/lntl_one_h_step lntl_no_resets=$W5/runs/lntl_no_resets
python benchmarks/full_scale/results_table.py $RUNS/summary_cv020/results.csv \
  $RUNS/summary_cv050/results.csv --out benchmarks/full_scale/results.csv \
  > benchmarks/full_scale/table.md
# val_curves_cv020_h_steps.png: the curves.png of
python benchmarks/full_scale/collect.py --out $RUNS/figure_h_steps baseline=$W/runs/baseline \
  lntl_2stage_steps3=$H/runs/$GRID+model.bias_steps=3 lntl_20e=$R/runs/lntl_20e \
  lntl_one_h_step=$R/runs/lntl_one_h_step
# val_curves_cv020_one_run_resets_vs_lr.png (seeds 0-2, matched lr seed 0):
python benchmarks/full_scale/collect.py --out $RUNS/figure_resets \
  lntl_matched_lr=$R/runs/lntl_matched_lr lntl_one_h_step=$R/runs/lntl_one_h_step
# val_curves_cv050.png: the curves.png of $RUNS/summary_cv050
python benchmarks/full_scale/collect_val_curves.py $RUNS
