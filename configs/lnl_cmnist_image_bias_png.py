# configs/lnl_cmnist_image_bias.py (LNTL on LNTLConvNet with a per-image
# bias head on pooled f, target bias_label; warm-up, lambda, mu, schedule)
# on Colored MNIST exported to PNG files and read back through
# BiasedImageDataset, to check the generic data path against the native one.
# (The paper's per-pixel head needs color_target, which only ColoredMNIST
# provides.) One job, after the export of configs/baseline_cmnist_png.py:
#   python tools/train.py configs/lnl_cmnist_image_bias_png.py
# Results: benchmarks/generic_vs_native/results.md, docs/custom_data.md.
_base_ = [
    './_base_/models/lntl_convnet.py',
    './_base_/datasets/colored_mnist_png.py',
    './_base_/schedules/cmnist_lntl_sgd_10e.py',
    './_base_/default_runtime.py',
    './_base_/leakage_probe.py',
]

model = dict(
    entropy_weight=0.01,  # lambda
    bias_neck=dict(mu=0.1),
    pretrain_epochs=1,
    bias_head=dict(
        _delete_=True,
        type='BiasClassificationHead',
        in_channels=32,
        num_classes=10,
        pool='avg',
        target_key='bias_label'))
