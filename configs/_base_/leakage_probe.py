# The leakage probe (lnl_mm.engine.hooks.LeakageProbeHook): after testing,
# fit a fresh logistic regression on frozen, globally pooled f features of
# the training split to predict the colour class (bias_label) and report its
# accuracy on the test split as leakage/probe_accuracy (10% = chance, no
# colour information left), beside BiasAccuracy's metrics.
custom_hooks = [
    dict(
        type='LeakageProbeHook',
        target_key='bias_label',
        num_classes=10,
        pool='avg',
        batch_size=256,
        max_fit_samples=None,  # None: the whole training split
        hidden_channels=0,  # 0: multinomial logistic regression
        max_iter=100,
        weight_decay=1e-3,
        seed=0),
]
