# The leakage probe (lnl_mm.engine.hooks.LeakageProbeHook) for
# BiasedImageDataset: a fresh logistic regression on frozen, globally pooled
# f features of the training split predicts bias_label; its accuracy on the
# test split is leakage/probe_accuracy. The training images go through the
# test pipeline (fit_pipeline='test'), not the random crops of training.
custom_hooks = [
    dict(
        type='LeakageProbeHook',
        target_key='bias_label',
        num_classes=None,  # None: the bias labels found (max + 1)
        fit_pipeline='test',
        pool='avg',
        batch_size=64,
        max_fit_samples=None,  # None: the whole training split
        hidden_channels=0,  # 0: multinomial logistic regression
        max_iter=100,
        weight_decay=1e-3,
        seed=0),
]
