# The paper's schedule with LNTL's two optimizers: "main" updates f and g,
# "bias" updates h. The MultiStepLR schedule applies to both.
_base_ = ['./cmnist_sgd_100e.py']

optim_wrapper = dict(
    _delete_=True,
    constructor='LNTLOptimWrapperConstructor',
    main=dict(
        type='OptimWrapper',
        optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4)),
    bias=dict(
        type='OptimWrapper',
        optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4)))
