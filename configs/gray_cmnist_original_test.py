# Gray tested on the original grey MNIST test digits: configs/gray_cmnist.py
# (trained and validated as it is, on the grey of coloured digits) with a
# test split of MNIST's own grey levels, the `test_gray` array that the
# authors' Colored MNIST files ship beside the coloured test digits. On it a
# Gray model reads close to the paper's Gray row (benchmarks/palette): the
# colours of the test split turn into random stroke brightness under
# gray_cmnist.py, a shortcut that the original digits do not carry.
# Evaluate a gray_cmnist.py checkpoint:
#   python tools/test.py configs/gray_cmnist_original_test.py CHECKPOINT
# (tools/analysis/sweep.py sets color_var and palette on every split, so it
# cannot run this config.)
_base_ = ['./gray_cmnist.py']

# White strokes painted as colour x intensity (soft_color) are the original
# grey levels; the jitter of a variance of 1e-12 rounds away (the palette
# value 1.0 stays 255), so every test image is its MNIST digit, exactly.
test_dataloader = dict(
    dataset=dict(
        palette=[[1.0, 1.0, 1.0]] * 10, soft_color=True, color_var=1e-12))
