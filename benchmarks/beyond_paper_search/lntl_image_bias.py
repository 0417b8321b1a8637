# configs/lnl_cmnist.py with h in the leakage probe's own form: instead of
# the paper's per-pixel 8-bin colour of each channel, h globally averages
# f's 32x14x14 map and predicts the colour class (bias_label) with one
# Linear layer (BiasClassificationHead), the family of the logistic
# regression that LeakageProbeHook fits after training, with BatchNorm on
# the pooled feature: without it, f defeats the Linear h by scaling its
# map up behind the reversal until h's loss overflows (NaN in the third
# unlearning epoch on seeds 0 and 1). Same lambda, mu, h steps, warm-up
# and schedule as the recipe; h is re-initialised at the switch as there.
_base_ = ['../../configs/lnl_cmnist_20e.py']

# BiasClassificationHead's defaults are the ones Colored MNIST needs:
# in_channels 32 (f's map), 10 colour classes, average pooling, bias_label
model = dict(
    bias_head=dict(
        _delete_=True,
        type='BiasClassificationHead',
        norm_cfg=dict(type='BN1d')))
