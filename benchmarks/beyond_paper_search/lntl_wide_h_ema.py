# The wide h (128 channels, 5 steps per iteration) validated, checkpointed
# and tested on an exponential moving average of the weights over the
# unlearning epochs (MMEngine's EMAHook, momentum 0.002, BatchNorm
# statistics averaged too), as lntl_ema.py does for the recipe. At
# color_var 0.050 the wide h's validation is flat from the fourth
# unlearning epoch on while its seeds spread over a point; the average
# aims at the last of that spread.
_base_ = ['../../configs/lnl_cmnist.py']

model = dict(
    bias_head=dict(mid_channels=128),
    bias_steps=5)

custom_hooks = [
    *_base_.custom_hooks,
    dict(
        type='EMAHook',
        momentum=0.002,
        update_buffers=True,
        begin_epoch=_base_.model.pretrain_epochs + 1,
        priority='ABOVE_NORMAL'),
]
