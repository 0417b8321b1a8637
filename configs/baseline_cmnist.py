# Baseline (the paper's "Baseline" row): plain cross-entropy on the biased
# Colored MNIST training split; LNTLConvNet (f and g) and a linear head, SGD
# lr 0.01 (momentum 0.9, weight decay 5e-4), batch 128, 10 epochs, lr x0.1 at
# epochs 4 and 8. One job:
#   python tools/train.py configs/baseline_cmnist.py
# Its epoch_10.pth is where configs/lnl_cmnist_from_baseline.py starts.
# Results at color_var 0.020 and 0.050: README.md (results table),
# metafile.yml, docs/reproduce_paper.md.
_base_ = [
    './_base_/models/convnet_baseline.py',
    './_base_/datasets/colored_mnist.py',
    './_base_/schedules/cmnist_sgd_10e.py',
    './_base_/default_runtime.py',
    './_base_/leakage_probe.py',
]
