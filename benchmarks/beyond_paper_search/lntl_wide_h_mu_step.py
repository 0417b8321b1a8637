# The wide h (128 channels, 5 steps per iteration) with a reversal that is
# strong first and weaker later: mu 1.0 for the first 3 of the 10
# unlearning epochs, while colour leaves f, then 0.3. Mu 0.3 throughout
# let f and g fit the labels more closely at color_var 0.050, but at 0.020
# removed colour more slowly (validation 67 % after 4 unlearning epochs,
# the wide h's 87 %).
_base_ = ['../../configs/lnl_cmnist_20e.py']

model = dict(
    bias_head=dict(mid_channels=128),
    bias_steps=5,
    bias_neck=dict(schedule='step', milestones=[0.3], factor=0.3))
