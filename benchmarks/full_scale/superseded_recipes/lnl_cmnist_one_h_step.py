# Superseded recipe, kept for its rows in benchmarks/full_scale/results.csv
# (method lntl_one_h_step; color_var 0.020 seeds 0-3, 0.050 seed 0):
# configs/lnl_cmnist.py (the paper's two stages in one run, lambda = 0.1,
# mu = 1.0) with the paper's single update of h per iteration instead of 3.
# It was configs/lnl_cmnist.py in lnl_mm 0.3. Results: docs/reproduce_paper.md.
# As it ran, h also learned during the warm-up (warmup_bias_steps=None: one
# step per iteration) before UnlearningStartHook re-initialised it.
_base_ = ['../../../configs/lnl_cmnist_20e.py']

model = dict(bias_steps=1, warmup_bias_steps=None)
