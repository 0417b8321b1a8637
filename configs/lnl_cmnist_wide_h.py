# LNTL with a wider, more often updated bias predictor: configs/lnl_cmnist.py
# with h's hidden layers 128 channels wide (32 in the recipe) and 5 updates
# of h per unlearning iteration (3 in the recipe). Chosen on the validation
# split at color_var 0.020 (benchmarks/beyond_paper_search/): 91.2 +- 0.7 %
# unbiased test top-1 over seeds 0-2 (the recipe: 82.7 +- 4.6 % on the same
# seeds), at least 90 % on each, with a lower leakage probe on each, and
# ahead of the recipe at every color_var on seed 0. It is the costliest
# recipe of that search (about 4,500 s of training on two CPU threads, more
# than four times the recipe's); lnl_cmnist.py stays the recommended
# recipe (README, "Past the paper").
#   python tools/train.py configs/lnl_cmnist_wide_h.py
_base_ = ['./lnl_cmnist.py']

model = dict(
    bias_head=dict(mid_channels=128),
    bias_steps=5)
