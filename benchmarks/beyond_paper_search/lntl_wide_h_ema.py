# The wide h (128 channels, 5 steps per iteration, as
# configs/lnl_cmnist_wide_h.py) validated, checkpointed and tested on an
# exponential moving average of the weights over the unlearning epochs, as
# lntl_ema.py does for the recipe. At color_var 0.050 the wide h's
# validation is flat from the fourth unlearning epoch on while its seeds
# spread over a point; the average aims at the last of that spread.
_base_ = ['./lntl_ema.py']

model = dict(
    bias_head=dict(mid_channels=128),
    bias_steps=5)
