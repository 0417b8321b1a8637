#!/usr/bin/env bash
# Past the paper: the knobs of configs/lnl_cmnist.py that no full-scale
# search has varied (the mu schedule, the warm-up length, longer unlearning,
# h's steps other than 3), each against the recipe as it ships, at
# color_var 0.020 on seeds 0-2, ranked on the validation split's mean over
# the seeds (WORK/search.md; test reported, never used). Full MNIST's four
# IDX files in data/mnist; one thread per run; interrupted runs resume,
# finished ones are skipped. A winner is then replicated at every color_var
# (benchmarks/colour_variance/) before anything ships.
set -euo pipefail
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
W=${1:-work_dirs/beyond_paper_search}
B=benchmarks/beyond_paper_search
SWEEP="python tools/analysis/sweep.py --dataset-options source=idx data_root=data/mnist \
  --dataloader-options num_workers=0 persistent_workers=False \
  --cfg-options default_hooks.checkpoint.interval=1 --work-root $W \
  --color-vars 0.020"
# Seed 0 screens every candidate; one goes on to seeds 1 and 2 only if its
# seed-0 validation accuracy is above the recipe's (77.7 %).
$SWEEP --seeds 0 --methods lntl_20e lntl_mu_dann=$B/lntl_mu_dann.py \
  lntl_warmup5=$B/lntl_warmup5.py lntl_unlearn20=$B/lntl_unlearn20.py \
  lntl_mu_dann3=$B/lntl_mu_dann3.py lntl_ema=$B/lntl_ema.py \
  lntl_ramp_h5_ema=$B/lntl_ramp_h5_ema.py
$SWEEP --seeds 0 --methods lntl_20e --grid model.bias_steps=2,5
# Past the screen (lntl_unlearn20 ties the recipe on seed 0 with the same
# checkpoint, and stays out); lntl_mu_dann3 passes on validation but its
# probe rises, so it runs last.
$SWEEP --seeds 1 2 --methods lntl_20e lntl_mu_dann=$B/lntl_mu_dann.py \
  lntl_warmup5=$B/lntl_warmup5.py lntl_ema=$B/lntl_ema.py \
  lntl_ramp_h5_ema=$B/lntl_ramp_h5_ema.py
$SWEEP --seeds 1 2 --methods lntl_20e --grid model.bias_steps=2,5
$SWEEP --seeds 1 2 --methods lntl_mu_dann3=$B/lntl_mu_dann3.py
# h in the leakage probe's own form (pooled f -> BatchNorm -> Linear ->
# colour class), aimed at the probe, which every candidate above leaves at
# 42-51 % on seeds 0 and 1: seeds 0 and 1 side by side. It is out at the
# screen (32.8 % validation), so seed 2 does not run.
$SWEEP --seeds 0 1 --methods lntl_image_bias=$B/lntl_image_bias.py
# A stronger adversary rather than a stronger reversal (mu 3 and 10 raise
# the probe; 5 h steps and the average lower its mean a little): h's
# hidden layers 64 channels wide instead of 32.
$SWEEP --seeds 0 --methods lntl_20e --grid model.bias_head.mid_channels=64
$SWEEP --seeds 1 2 --methods lntl_20e --grid model.bias_head.mid_channels=64
# The two adversary knobs that each lifted seed 0 together: the wider h
# with 5 h steps.
$SWEEP --seeds 0 --methods lntl_20e --grid model.bias_head.mid_channels=64 model.bias_steps=5
$SWEEP --seeds 1 2 --methods lntl_20e --grid model.bias_head.mid_channels=64 model.bias_steps=5
# Wider still, where the 64-channel h with 5 steps held on seed 0 only:
# seeds 0-2 one after the other, each with both threads (the costliest
# candidate: an unlearning iteration takes 0.8-0.9 s so; two runs side by
# side with one thread each take 1.4 s each, and finish sooner in all).
OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 \
  $SWEEP --seeds 0 1 2 --methods lntl_20e --grid model.bias_head.mid_channels=128 model.bias_steps=5
# At the paper's other variances, where the recipe is below the paper
# (0.050 and 0.035 first): seed 0, then seeds 1 and 2.
OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 \
  $SWEEP --color-vars 0.050 0.035 --seeds 0 --methods lntl_20e --grid model.bias_head.mid_channels=128 model.bias_steps=5
OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 \
  $SWEEP --color-vars 0.035 0.050 --seeds 1 2 --methods lntl_20e --grid model.bias_head.mid_channels=128 model.bias_steps=5
# The other four variances, seed 0: two runs side by side with one thread
# each.
$SWEEP --color-vars 0.025 0.040 --seeds 0 --methods lntl_20e --grid model.bias_head.mid_channels=128 model.bias_steps=5 &
$SWEEP --color-vars 0.030 0.045 --seeds 0 --methods lntl_20e --grid model.bias_head.mid_channels=128 model.bias_steps=5
wait
# The gap at 0.050: on validation the wide h's seed 0 there reads
# colour-conflicting digits as well as aligned ones (94.6 and 94.2 %), so
# colour no longer decides; it is 3.4 points below the ceiling below
# (98.0 %) because it learns less shape. Unlearning at lr 0.01 instead of
# 0.001 (the x10 step at the switch made x100; x0.1 at 14 and 18 as
# before), screened on seed 0.
OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 \
  $SWEEP --color-vars 0.050 --seeds 0 --methods lntl_20e --grid model.bias_head.mid_channels=128 model.bias_steps=5 param_scheduler.1.gamma=100
# A weaker adversary at 0.050, where f and g fit the training labels less
# closely under it than without the shortcut: lambda 0.03 instead of 0.1,
# and mu 0.3 instead of 1.0, each with the wide h, screened on seed 0
# against the wide h's validation there (94.6 %); two runs side by side
# with one thread each.
$SWEEP --color-vars 0.050 --seeds 0 --methods lntl_20e --grid model.bias_head.mid_channels=128 model.bias_steps=5 model.entropy_weight=0.03 &
$SWEEP --color-vars 0.050 --seeds 0 --methods lntl_20e --grid model.bias_head.mid_channels=128 model.bias_steps=5 model.bias_neck.mu=0.3
wait
# mu 0.3 passed its screen at 0.050: seed 1 there, and seed 0 at 0.020,
# where the 90 % target is at stake.
$SWEEP --color-vars 0.050 --seeds 1 --methods lntl_20e --grid model.bias_head.mid_channels=128 model.bias_steps=5 model.bias_neck.mu=0.3 &
$SWEEP --color-vars 0.020 --seeds 0 --methods lntl_20e --grid model.bias_head.mid_channels=128 model.bias_steps=5 model.bias_neck.mu=0.3
wait
# Mu 0.3 at 0.020 was stopped after epoch 15 (validation 68.6 %, out of
# reach of the wide h's 89.9 % at lr 1e-4), and its seed 2 at 0.050 is not
# run (seeds 0 and 1 tie with the wide h there). A step schedule instead:
# mu 1.0 for the first 3 unlearning epochs, then 0.3, screened on seed 0
# at 0.020 (bar 89.9 %), beside the wide h's variances above.
$SWEEP --color-vars 0.020 --seeds 0 --methods lntl_wide_h_mu_step=$B/lntl_wide_h_mu_step.py
# It passes at 0.020 (validation 90.24 %, probe 33.8 %): its seed 0 at
# 0.050 (bar 94.6 %).
$SWEEP --color-vars 0.050 --seeds 0 --methods lntl_wide_h_mu_step=$B/lntl_wide_h_mu_step.py
# It passes at 0.050 too (validation 95.44 %, test 95.58 %): seeds 1-2.
$SWEEP --color-vars 0.020 0.050 --seeds 1 2 --methods lntl_wide_h_mu_step=$B/lntl_wide_h_mu_step.py
# The step schedule misses 90 % at 0.020 on seed 2 (test 86.48 %), so it
# does not ship. The moving average of the weights instead (it lifted the
# recipe's seeds 0 and 2 at 0.020), with the wide h, screened on seed 0 at
# 0.050, where the gap to the paper is (bar: the wide h's validation there,
# 94.6 %).
$SWEEP --color-vars 0.050 --seeds 0 --methods lntl_wide_h_ema=$B/lntl_wide_h_ema.py
# It validates at 94.86 %, 0.26 above the bar and below the step
# schedule's 95.44 % on the same seed: it goes no further.
# Half the step schedule's step (mu 1.0, then 0.5 instead of 0.3), aimed
# at its loss at 0.020 on seed 2: screened there (bar: the wide h's
# validation on that seed, 90.52 %) and on seed 0 at 0.050 (bar: the wide
# h's 94.6 %), two runs side by side with one thread each.
$SWEEP --color-vars 0.020 --seeds 2 --methods lntl_wide_h_mu_half=$B/lntl_wide_h_mu_half.py &
$SWEEP --color-vars 0.050 --seeds 0 --methods lntl_wide_h_mu_half=$B/lntl_wide_h_mu_half.py
wait
# It validates at 95.52 % at 0.050 and 89.40 % at 0.020 (seed 2): below
# the bar at 0.020, it goes no further.
# The step schedule with its unlearning lr cuts moved later (x0.1 at 16
# and 19 instead of 14 and 18), aimed at f and g underfitting the labels
# at color_var 0.050; screened like half the step, on seed 2 at 0.020
# (bar: the wide h's 90.52 %) and seed 0 at 0.050 (bar: the step
# schedule's 95.44 %).
$SWEEP --color-vars 0.020 --seeds 2 --methods lntl_wide_h_mu_step_late_lr=$B/lntl_wide_h_mu_step_late_lr.py &
$SWEEP --color-vars 0.050 --seeds 0 --methods lntl_wide_h_mu_step_late_lr=$B/lntl_wide_h_mu_step_late_lr.py
wait
# It validates at 95.54 % at 0.050 (0.1 above the step schedule) and
# 87.76 % at 0.020 (seed 2): below the bar at 0.020, it goes no further.
# The step schedule with lambda 0.3 instead of 0.1: lambda 0.03 changed
# nothing at 0.050, so the other direction, a stronger push on f to make h
# uncertain; screened on seed 2 at 0.020 (bar: the wide h's 90.52 %) and
# seed 0 at 0.050 (bar: the step schedule's 95.44 %).
$SWEEP --color-vars 0.020 --seeds 2 --methods lntl_wide_h_mu_step=$B/lntl_wide_h_mu_step.py --grid model.entropy_weight=0.3 &
$SWEEP --color-vars 0.050 --seeds 0 --methods lntl_wide_h_mu_step=$B/lntl_wide_h_mu_step.py --grid model.entropy_weight=0.3
wait
# It validates at 87.00 % at 0.020 (seed 2) and 95.06 % at 0.050: below
# both bars, it goes no further.
# A stronger h on the step schedule, screened on seed 0 at 0.050 (bar: the
# step schedule's 95.44 %): h 256 channels wide instead of 128, and 8
# updates of h per iteration instead of 5.
$SWEEP --color-vars 0.050 --seeds 0 --methods lntl_wide_h_mu_step=$B/lntl_wide_h_mu_step.py --grid model.bias_head.mid_channels=256 &
$SWEEP --color-vars 0.050 --seeds 0 --methods lntl_wide_h_mu_step=$B/lntl_wide_h_mu_step.py --grid model.bias_steps=8
wait
# With 8 updates it validates at 95.58 % at 0.050, a tie with the step
# schedule; its screen on seed 2 at 0.020 decides whether it goes on.
# The screen at 0.020 (seed 2, bar: the wide h's 90.52 %), beside the
# 256-channel run resumed from its last checkpoint by the same command.
# Both were stopped at an epoch's end (8 updates after epoch 14, the
# 256-channel run after epoch 17); the 8-update run then resumed alone
# with both threads, which cuts an iteration from 2.0-2.2 s to 1.2 s.
$SWEEP --color-vars 0.020 --seeds 2 --methods lntl_wide_h_mu_step=$B/lntl_wide_h_mu_step.py --grid model.bias_steps=8 &
$SWEEP --color-vars 0.050 --seeds 0 --methods lntl_wide_h_mu_step=$B/lntl_wide_h_mu_step.py --grid model.bias_head.mid_channels=256
wait
OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 \
  $SWEEP --color-vars 0.020 --seeds 2 --methods lntl_wide_h_mu_step=$B/lntl_wide_h_mu_step.py --grid model.bias_steps=8
# With 8 updates it validates at 90.54 % at 0.020 (seed 2), a tie with
# the bar, as at 0.050. The 256-channel run, below its bar at every
# epoch up to 17, resumed from there alone with both threads to epoch 18,
# and from epoch 18 on one thread beside other runs (the same command);
# it selects epoch 19 (validation 95.06 %, below the bar).
OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 \
  $SWEEP --color-vars 0.050 --seeds 0 --methods lntl_wide_h_mu_step=$B/lntl_wide_h_mu_step.py --grid model.bias_head.mid_channels=256
# The ceiling: the baseline trained on colours independent of the label
# (each training digit gets a random one of the ten, as test digits do),
# in its own work root; WORK/unbiased_training/results.csv is
# unbiased_training.csv (run_dir relative).
python tools/analysis/sweep.py --dataset-options source=idx data_root=data/mnist \
  --dataloader-options num_workers=0 persistent_workers=False \
  --cfg-options default_hooks.checkpoint.interval=1 \
  --work-root $W/unbiased_training --color-vars 0.020 0.050 --seeds 0 \
  --methods baseline --grid train_dataloader.dataset.conflict_ratio=0.9
# The authors' code under the PyTorch of its time also stepped g in phase B
# (zero_grad() left zero gradients, so g took a momentum and weight-decay
# step): model.step_g_in_phase_b=True. Screened on the recipe at 0.050
# (seed 0, bar: the recipe's validation 93.92 %), then at 0.020, beside the
# wide h with the same option at 0.050 (bar: its validation 94.60 %).
$SWEEP --color-vars 0.050 --seeds 0 --methods lntl_20e --grid model.step_g_in_phase_b=True &
$SWEEP --color-vars 0.050 --seeds 0 --methods lntl_20e --grid model.bias_head.mid_channels=128 model.bias_steps=5 model.step_g_in_phase_b=True
wait
$SWEEP --color-vars 0.020 --seeds 0 --methods lntl_20e --grid model.step_g_in_phase_b=True
# Past the screen at 0.020 (validation 84.80 % against 77.66 %): seeds 1
# and 2, one after the other beside the wide h.
$SWEEP --color-vars 0.020 --seeds 1 --methods lntl_20e --grid model.step_g_in_phase_b=True
$SWEEP --color-vars 0.020 --seeds 2 --methods lntl_20e --grid model.step_g_in_phase_b=True
# The authors' start of unlearning, seed 0 at 0.050 (bar 93.92 %), with
# both threads; continued with the same command after an interruption
# (the sweep resumes from the run's last checkpoint).
OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 \
  $SWEEP --color-vars 0.050 --seeds 0 --methods lntl_authors_start=$B/lntl_authors_start.py
# A second step in mu's schedule (1.0, 0.3, 0.09), seed 0 at 0.050 (bar:
# the step schedule's validation 95.44 %) beside seed 2 at 0.020 (bar: the
# wide h's 90.52 %), one thread each.
$SWEEP --color-vars 0.050 --seeds 0 --methods lntl_wide_h_mu_two_steps=$B/lntl_wide_h_mu_two_steps.py &
$SWEEP --color-vars 0.020 --seeds 2 --methods lntl_wide_h_mu_two_steps=$B/lntl_wide_h_mu_two_steps.py
wait
# Twice the unlearning epochs on the step schedule, seed 0 at 0.050 (bar:
# its validation 95.44 %), with both threads; after an interruption the
# same command resumes it from its last checkpoint.
OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 \
  $SWEEP --color-vars 0.050 --seeds 0 --methods lntl_wide_h_mu_step_unlearn20=$B/lntl_wide_h_mu_step_unlearn20.py
# The step schedule unlearning at lr 0.003 (x30 at the switch) instead of
# 0.001 (0.01 let f relearn colour in a form h cannot read), seed 0 at
# 0.050 (bar: the step schedule's validation 95.44 %), one thread beside
# the last epochs of the run above.
$SWEEP --color-vars 0.050 --seeds 0 --methods lntl_wide_h_mu_step=$B/lntl_wide_h_mu_step.py \
  --grid param_scheduler.1.gamma=30
# The step schedule after a 5-epoch warm-up, the one knob of the search not
# yet screened at 0.050; seed 0 at 0.050 (bar 95.44 %), with both threads.
OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 \
  $SWEEP --color-vars 0.050 --seeds 0 --methods lntl_wide_h_mu_step_warmup5=$B/lntl_wide_h_mu_step_warmup5.py
# 8 updates of h on the step schedule, the one candidate that holds the
# best of the wide h at 0.020 (seed 2) and of the step schedule at 0.050
# (seed 0): seeds 0 and 1 at 0.020, side by side with one thread each, to
# see whether it meets the 90 % and the probe targets on every seed.
$SWEEP --color-vars 0.020 --seeds 0 --methods lntl_wide_h_mu_step=$B/lntl_wide_h_mu_step.py --grid model.bias_steps=8 &
$SWEEP --color-vars 0.020 --seeds 1 --methods lntl_wide_h_mu_step=$B/lntl_wide_h_mu_step.py --grid model.bias_steps=8
wait
# The step schedule at 0.045 (seed 0), the variance besides 0.050 where the
# wide h is below the paper (bar: the wide h's validation, 94.52 %), with
# both threads; after an interruption the same command resumes it.
OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 \
  $SWEEP --color-vars 0.045 --seeds 0 --methods lntl_wide_h_mu_step=$B/lntl_wide_h_mu_step.py
# The step schedule at 0.045 on seeds 1 and 2, side by side with one
# thread each, to replicate seed 0.
$SWEEP --color-vars 0.045 --seeds 1 --methods lntl_wide_h_mu_step=$B/lntl_wide_h_mu_step.py &
$SWEEP --color-vars 0.045 --seeds 2 --methods lntl_wide_h_mu_step=$B/lntl_wide_h_mu_step.py
wait
# The step schedule after a 20-epoch warm-up, the longer side of the
# warm-up knob; seed 0 at 0.050 (bar 95.44 %), with both threads.
OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 \
  $SWEEP --color-vars 0.050 --seeds 0 --methods lntl_wide_h_mu_step_warmup20=$B/lntl_wide_h_mu_step_warmup20.py
# It passed the screen: seed 1 at 0.050 and seed 2 at 0.020 (the 0.020
# screen; bar: the wide h's validation, 90.52 %), side by side with one
# thread each; after an interruption the same commands resume them.
$SWEEP --color-vars 0.050 --seeds 1 --methods lntl_wide_h_mu_step_warmup20=$B/lntl_wide_h_mu_step_warmup20.py &
$SWEEP --color-vars 0.020 --seeds 2 --methods lntl_wide_h_mu_step_warmup20=$B/lntl_wide_h_mu_step_warmup20.py
wait
# Seed 2 at 0.050 completes the 20-epoch warm-up's three seeds there; beside
# it, the next point on the warm-up knob, a 40-epoch warm-up, seed 0 at
# 0.050 (bar: the 20-epoch warm-up's validation, 95.88 %).
$SWEEP --color-vars 0.050 --seeds 0 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py &
$SWEEP --color-vars 0.050 --seeds 2 --methods lntl_wide_h_mu_step_warmup20=$B/lntl_wide_h_mu_step_warmup20.py
wait
# The 40-epoch warm-up passed the screen: seed 1 at 0.050 and seed 2 at
# 0.020 (the 0.020 screen; bar: the 20-epoch warm-up's validation,
# 90.58 %), side by side with one thread each; after an interruption the
# same commands resume them.
$SWEEP --color-vars 0.050 --seeds 1 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py &
$SWEEP --color-vars 0.020 --seeds 2 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py
wait
# Seed 1 at 0.050 is above the paper as seed 0 is, and seed 2 at 0.020 meets
# both 0.020 targets though its validation is short of the bar: seed 2 at
# 0.050 and seed 0 at 0.020 next, side by side with one thread each.
$SWEEP --color-vars 0.050 --seeds 2 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py &
$SWEEP --color-vars 0.020 --seeds 0 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py
wait
# Above the paper on seeds 0-2 at 0.050: seed 1 at 0.020 (its third seed
# there) and seed 0 at 0.045 (paper 95.55 %), side by side with one thread
# each; after an interruption the same commands resume them.
$SWEEP --color-vars 0.020 --seeds 1 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py &
$SWEEP --color-vars 0.045 --seeds 0 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py
wait
# Seeds 1 and 2 at 0.045, side by side with one thread each.
$SWEEP --color-vars 0.045 --seeds 1 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py &
$SWEEP --color-vars 0.045 --seeds 2 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py
wait
# Above the paper on seeds 0-2 at 0.045: the other variances next, from
# 0.040 (paper 94.06 %) down: seeds 0 and 1 at 0.040 side by side with
# one thread each; after an interruption the same commands resume them.
$SWEEP --color-vars 0.040 --seeds 0 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py &
$SWEEP --color-vars 0.040 --seeds 1 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py
wait
# Above the paper on seeds 0 and 1 at 0.040: two chains side by side with
# one thread each, every run starting on the core the one before it frees.
# One: seed 0 at 0.035 (paper 93.06 %), seed 2 at 0.035, seed 1 at 0.030
# (paper 91.37 %), seed 0 at 0.025 (paper 88.54 %), seed 2 at 0.025. The
# other: seed 2 at 0.040, seed 1 at 0.035, seed 0 at 0.030, seed 2 at
# 0.030, seed 1 at 0.025. After an interruption the same commands resume
# them.
($SWEEP --color-vars 0.035 --seeds 0 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py
 $SWEEP --color-vars 0.035 --seeds 2 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py
 $SWEEP --color-vars 0.030 --seeds 1 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py
 $SWEEP --color-vars 0.025 --seeds 0 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py
 $SWEEP --color-vars 0.025 --seeds 2 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py) &
$SWEEP --color-vars 0.040 --seeds 2 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py
$SWEEP --color-vars 0.035 --seeds 1 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py
$SWEEP --color-vars 0.030 --seeds 0 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py
$SWEEP --color-vars 0.030 --seeds 2 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py
$SWEEP --color-vars 0.025 --seeds 1 --methods lntl_wide_h_mu_step_warmup40=$B/lntl_wide_h_mu_step_warmup40.py
wait
