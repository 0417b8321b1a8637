# The plain classifier (f + g only) on the paper's Colored MNIST network.
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='LNTLConvNet', out_indices=(1, ), norm_cfg=dict(type='BN')),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=64,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        init_cfg=None))
