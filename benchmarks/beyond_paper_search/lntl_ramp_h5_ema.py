# The three changes that each lifted seed 0 on validation, together: the
# DANN mu ramp (lntl_mu_dann.py), 5 updates of h per iteration
# (model.bias_steps=5) and the moving average of the weights over the
# unlearning epochs (lntl_ema.py; it changes what is validated and saved,
# not the training).
_base_ = ['./lntl_mu_dann.py']

model = dict(bias_steps=5)
custom_hooks = [
    *_base_.custom_hooks,
    dict(
        type='EMAHook',
        momentum=0.002,
        update_buffers=True,
        begin_epoch=_base_.model.pretrain_epochs + 1,
        priority='ABOVE_NORMAL'),
]
