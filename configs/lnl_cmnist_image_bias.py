# LNTL with a per-image bias target: h globally pools f's 32x14x14 map and
# predicts the colour class (bias_label, the index of the mean colour the
# digit was painted with) with one Linear layer, instead of the paper's
# per-pixel 8-bin colour of each channel. Everything else is
# configs/lnl_cmnist_paper.py (gradient reversal mu = 0.1, lambda = 0.01,
# one warm-up epoch, 10 epochs). One job:
#   python tools/train.py configs/lnl_cmnist_image_bias.py
# Results: on the embedded sample only, as the native half of the generic
# vs native check (benchmarks/generic_vs_native/, docs/custom_data.md).
_base_ = ['./lnl_cmnist_paper.py']

model = dict(
    bias_head=dict(
        _delete_=True,
        type='BiasClassificationHead',
        in_channels=32,
        num_classes=10,
        pool='avg',
        target_key='bias_label'))
