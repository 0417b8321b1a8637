# The plain classifier (f + g only) on the same split ResNet-18 as
# resnet18_split_lntl.py: mmpretrain's ImageClassifier reads the pooled g
# feature (out_indices=(1, )). The same f_stages keeps the leakage probe on
# the same features and the weights loadable into the LNTL model.
f_stages = 2

model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='SplitResNet',
        resnet=dict(type='ResNet', depth=18, norm_cfg=dict(type='BN')),
        f_stages=f_stages,
        out_indices=(1, )),
    head=dict(
        type='LinearClsHead',
        num_classes=2,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
