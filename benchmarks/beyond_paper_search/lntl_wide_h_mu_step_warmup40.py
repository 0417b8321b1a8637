# lntl_warmup40.py's 40-epoch warm-up (lr x0.1 at epochs 16 and 32, then the
# same 10 unlearning epochs) with the model of the step schedule,
# lntl_wide_h_mu_step.py: the wide h, and mu 1.0 -> 0.3 after 30 % of the
# unlearning phase. Validation at 0.050 rose with the warm-up's length (5, 10,
# 20 epochs); this is the next point, screened against the 20-epoch warm-up.
# The model is restated because MMEngine does not merge two bases that set
# the same keys.
_base_ = ['./lntl_warmup40.py']

model = dict(
    bias_head=dict(mid_channels=128),
    bias_steps=5,
    bias_neck=dict(schedule='step', milestones=[0.3], factor=0.3))
