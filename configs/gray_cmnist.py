# Gray: the baseline (plain cross-entropy, lr 0.01) trained and tested on the
# grayscale image, so colour, the bias, is removed in the pipeline (the
# paper's "Gray" row). ToGrayscale keeps 3 identical channels, so the network
# and the input normalisation are unchanged. Only `img` is converted: the
# per-pixel colour target and bias_label stay those of the coloured digit.
_base_ = ['./baseline_cmnist.py']

gray_pipeline = [
    dict(
        type='ToGrayscale',
        weights=(0.299, 0.587, 0.114),  # ITU-R BT.601 luma, RGB order
        num_channels=3,
        keys=('img', )),
    dict(
        type='PackInputs',
        algorithm_keys=('bias_label', 'bias_aligned', 'color_target')),
]

train_dataloader = dict(dataset=dict(pipeline=gray_pipeline))
val_dataloader = dict(dataset=dict(pipeline=gray_pipeline))
test_dataloader = dict(dataset=dict(pipeline=gray_pipeline))
