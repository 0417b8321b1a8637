# Gray (the paper's "Gray" row): configs/baseline_cmnist.py trained and
# tested on grey images, so colour, the bias, is removed in the pipeline.
# ToGrayscale keeps 3 identical channels, so the network and the input
# normalisation are unchanged; only `img` is converted (the per-pixel colour
# target and bias_label stay those of the coloured digit). One job:
#   python tools/train.py configs/gray_cmnist.py
# Results at color_var 0.020 and 0.050: README.md (results table),
# metafile.yml, docs/reproduce_paper.md.
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
