# "Learning Not to Learn" on the paper's Colored MNIST network:
# f + g = LNTLConvNet (+ the Linear head), h = BiasPredictionHead, reading f
# through a gradient-reversal layer.
model = dict(
    type='LNTLClassifier',
    backbone=dict(type='LNTLConvNet', norm_cfg=dict(type='BN')),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=64,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        init_cfg=None),  # PyTorch's default Linear init, as the authors
    # schedule='dann' ramps mu over the unlearning epochs with steepness gamma
    bias_neck=dict(
        type='GradientReversal', mu=0.1, schedule='constant', gamma=10.0),
    bias_head=dict(
        type='BiasPredictionHead',
        in_channels=32,
        mid_channels=32,
        num_channels=3,
        num_bins=8,
        ignore_index=255,
        norm_cfg=dict(type='BN')),
    entropy_weight=0.01,  # lambda
    pretrain_epochs=0,
    bias_steps=1,  # h updates per iteration (phase B)
    # h updates per warm-up iteration (None: bias_steps; 0: h untrained
    # until unlearning starts, for recipes that re-initialise it then)
    warmup_bias_steps=None)

# Both phases run through DDP's forward under distributed launchers.
model_wrapper_cfg = dict(type='LNTLDistributedDataParallel')
