# The baseline (network LNTLConvNet, seed, leakage probe, its 10-epoch
# schedule) on Colored MNIST exported to PNG files and read back
# through the generic BiasedImageDataset, to check the generic data path
# against the native one. One job, after the export:
#   python tools/dataset_converters/export_colored_mnist.py \
#       data/colored_mnist_png --dataset-options source=sample
#   python tools/train.py configs/baseline_cmnist_png.py
# Results: benchmarks/generic_vs_native/results.md, docs/custom_data.md.
_base_ = [
    './_base_/models/convnet_baseline.py',
    './_base_/datasets/colored_mnist_png.py',
    './_base_/schedules/cmnist_sgd_10e.py',
    './_base_/default_runtime.py',
    './_base_/leakage_probe.py',
]
