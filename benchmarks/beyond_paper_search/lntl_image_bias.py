# configs/lnl_cmnist.py with h in the leakage probe's own form: instead of
# the paper's per-pixel 8-bin colour of each channel, h globally averages
# f's 32x14x14 map and predicts the colour class (bias_label) with one
# Linear layer (BiasClassificationHead), the family of the logistic
# regression that LeakageProbeHook fits after training. Same lambda, mu,
# h steps, warm-up and schedule as the recipe; h is re-initialised at the
# switch as there.
_base_ = ['../../configs/lnl_cmnist.py']

model = dict(
    bias_head=dict(
        _delete_=True,
        type='BiasClassificationHead',
        in_channels=32,
        num_classes=10,
        pool='avg',
        target_key='bias_label'))
