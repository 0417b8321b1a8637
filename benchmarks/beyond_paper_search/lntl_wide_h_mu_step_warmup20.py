# lntl_warmup20.py's 20-epoch warm-up (lr x0.1 at epochs 8 and 16, then the
# same 10 unlearning epochs) with the model of the step schedule,
# lntl_wide_h_mu_step.py: the wide h, and mu 1.0 -> 0.3 after 30 % of the
# unlearning phase. The 5-epoch warm-up read below the 10-epoch one at 0.020
# and 0.050; this is the longer side of the knob, screened at 0.050 (seed 0)
# against the step schedule's validation 95.44 %. The model is restated
# because MMEngine does not merge two bases that set the same keys.
_base_ = ['./lntl_warmup20.py']

model = dict(
    bias_head=dict(mid_channels=128),
    bias_steps=5,
    bias_neck=dict(schedule='step', milestones=[0.3], factor=0.3))
