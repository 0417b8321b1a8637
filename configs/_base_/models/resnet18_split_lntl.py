# "Learning Not to Learn" on MMPretrain's ResNet-18, for 3-channel images of
# any size: f = the stem and the first f_stages residual stages, g = the
# remaining stages, global average pooling and the Linear head; h =
# BiasClassificationHead (global average pool of f's map -> Linear -> bias
# class, target bias_label), reading f through the gradient reversal.
f_stages = 2
# channels of ResNet-18's f map after 0, 1, 2, 3 or 4 stages: h's input
resnet18_f_channels = (64, 64, 128, 256, 512)

model = dict(
    type='LNTLClassifier',
    backbone=dict(
        type='SplitResNet',
        # any mmpretrain ResNet config; for ImageNet weights add
        # init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')
        resnet=dict(type='ResNet', depth=18, norm_cfg=dict(type='BN')),
        f_stages=f_stages),
    head=dict(
        type='LinearClsHead',
        num_classes=2,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    # schedule='dann' ramps mu over the unlearning epochs with steepness gamma
    bias_neck=dict(
        type='GradientReversal', mu=0.1, schedule='constant', gamma=10.0),
    bias_head=dict(
        type='BiasClassificationHead',
        in_channels=resnet18_f_channels[f_stages],
        num_classes=2,
        pool='avg',
        target_key='bias_label'),
    entropy_weight=0.01,  # lambda
    pretrain_epochs=0,
    bias_steps=1,  # h updates per iteration (phase B)
    # h updates per warm-up iteration (None: bias_steps; 0: h untrained
    # until unlearning starts, for recipes that re-initialise it then)
    warmup_bias_steps=None)

# Both phases run through DDP's forward under distributed launchers.
model_wrapper_cfg = dict(type='LNTLDistributedDataParallel')
