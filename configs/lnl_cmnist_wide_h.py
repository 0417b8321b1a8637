# LNTL with a wider, more often updated bias predictor:
# configs/lnl_cmnist_20e.py with h's hidden layers 128 channels wide (32 in it)
# and 5 updates of h per unlearning iteration (3 in it). Chosen on the
# validation split at color_var 0.020 (benchmarks/beyond_paper_search/): 91.2
# +- 0.7 % unbiased test top-1 over seeds 0-2 (lnl_cmnist_20e.py: 82.7 +- 4.6 %
# on the same seeds), but below the paper's LNTL at color_var 0.045 and 0.050.
# The recommended configs/lnl_cmnist.py keeps this h and adds a 40-epoch
# warm-up and mu's step from 1.0 to 0.3, which close that gap.
#   python tools/train.py configs/lnl_cmnist_wide_h.py
_base_ = ['./lnl_cmnist_20e.py']

model = dict(
    bias_head=dict(mid_channels=128),
    bias_steps=5)
