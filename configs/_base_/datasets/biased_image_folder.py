# Any image folder with class labels and a bias attribute
# (lnl_mm.datasets.BiasedImageDataset), with mmpretrain's usual ImageNet-style
# pipeline. Layout under data_root:
#   meta/train.txt, meta/val.txt, meta/test.txt: one image per line,
#       "relative/path/to/image.png <label> <bias_label>" (integers)
#   the images, at those paths (relative to data_root)
# Point all three splits at another folder with
#   --cfg-options train_dataloader.dataset.data_root=X \
#                 val_dataloader.dataset.data_root=X \
#                 test_dataloader.dataset.data_root=X
dataset_type = 'BiasedImageDataset'
data_root = 'data/custom'
num_classes = 2  # labels 0 .. num_classes - 1
num_bias_classes = 2  # bias labels 0 .. num_bias_classes - 1
img_size = 224  # training crops and test images are img_size x img_size
test_resize = 256  # test images: short edge resized to this, then centre crop
batch_size = 128
# 'auto' follows the machine (lnl_mm.utils.auto_num_workers): half the cores
# per process, at most 8; none below 4 cores per process
num_workers = 'auto'

data_preprocessor = dict(
    type='LNTLDataPreprocessor',
    channels_last=True,
    # asynchronous host-to-GPU copies of the (pinned) batches
    non_blocking=True,
    num_classes=num_classes,
    # ImageNet RGB mean / std, 0..255
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    # LoadImageFromFile reads BGR
    to_rgb=True,
)

bias_keys = ('bias_label', 'bias_aligned')
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=img_size),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs', algorithm_keys=bias_keys),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=test_resize, edge='short'),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='PackInputs', algorithm_keys=bias_keys),
]


train_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/train.txt',
        data_prefix='',  # image paths are relative to data_root
        classes=num_classes,  # or a list of names, or a names file
        bias_classes=num_bias_classes,
        pipeline=train_pipeline),
)

# Checkpoints are selected on val: make meta/val.txt unbiased (bias labels
# independent of the class, like test) if you can. bias_aligned of val and
# test images is computed from meta/train.txt (train_ann_file): a bias label
# is aligned with a class if it is the class's most frequent one in training
# (or set bias_alignment, the aligned bias label of each class).
val_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/val.txt',
        data_prefix='',
        classes=num_classes,
        bias_classes=num_bias_classes,
        train_ann_file='meta/train.txt',
        pipeline=test_pipeline),
)
val_evaluator = dict(type='BiasAccuracy')

test_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/test.txt',
        data_prefix='',
        classes=num_classes,
        bias_classes=num_bias_classes,
        train_ann_file='meta/train.txt',
        pipeline=test_pipeline),
)
test_evaluator = val_evaluator
