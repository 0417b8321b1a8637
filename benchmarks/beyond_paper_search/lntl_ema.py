# configs/lnl_cmnist.py validated, checkpointed and tested with an
# exponential moving average of its weights over the unlearning phase
# (MMEngine's EMAHook; BatchNorm statistics averaged too): the unlearning
# epochs swing by up to 12 points of validation accuracy from one epoch to
# the next, and an average over the last ~500 iterations (about 1.2 epochs)
# smooths the swings. The average starts with the first unlearning epoch
# (EMAHook counts epochs from 1); until then it is the model itself.
_base_ = ['../../configs/lnl_cmnist_20e.py']

custom_hooks = [
    *_base_.custom_hooks,
    dict(
        type='EMAHook',
        momentum=0.002,
        update_buffers=True,
        begin_epoch=_base_.model.pretrain_epochs + 1,
        priority='ABOVE_NORMAL'),
]
