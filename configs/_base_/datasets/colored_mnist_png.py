# Colored MNIST exported to PNG files (tools/dataset_converters/
# export_colored_mnist.py) and read back through the generic
# BiasedImageDataset: the same data loading, batches, preprocessing and
# metrics as colored_mnist.py, to check the generic path against the native
# one. Export first, e.g. the embedded sample with the shipped protocol:
#   python tools/dataset_converters/export_colored_mnist.py \
#       data/colored_mnist_png --dataset-options source=sample
dataset_type = 'BiasedImageDataset'
data_root = 'data/colored_mnist_png'

data_preprocessor = dict(
    type='LNTLDataPreprocessor',
    channels_last=True,
    non_blocking=True,
    num_classes=10,
    mean=[0.4914 * 255, 0.4822 * 255, 0.4465 * 255],
    std=[0.2023 * 255, 0.1994 * 255, 0.2010 * 255],
    # LoadImageFromFile reads BGR (ColoredMNIST's arrays are RGB)
    to_rgb=True,
)

pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='PackInputs', algorithm_keys=('bias_label', 'bias_aligned')),
]

train_dataloader = dict(
    batch_size=128,
    num_workers='auto',
    persistent_workers=True,
    # as colored_mnist.py: epochs of at least MNIST's 55,000 training digits
    sampler=dict(type='EpochLengthSampler', shuffle=True, min_length=55000),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/train.txt',
        classes=10,
        bias_classes=10,
        pipeline=pipeline),
)

val_dataloader = dict(
    batch_size=128,
    num_workers='auto',
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/val.txt',
        classes=10,
        bias_classes=10,
        pipeline=pipeline),
)
val_evaluator = dict(type='BiasAccuracy')

test_dataloader = dict(
    batch_size=128,
    num_workers='auto',
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/test.txt',
        classes=10,
        bias_classes=10,
        pipeline=pipeline),
)
test_evaluator = val_evaluator
