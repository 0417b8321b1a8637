# Superseded recipe, kept for its rows in benchmarks/full_scale/results.csv
# (method blindeye; color_var 0.020 seeds 0-2): BlindEye at the paper's
# confusion weight (lambda = 0.01) on the schedule of
# configs/lnl_cmnist_paper.py (one run of 10 epochs, h learning the colour on
# detached f features from the first epoch). It was configs/blindeye_cmnist.py
# until lnl_mm 0.5; at this weight BlindEye stays at the baseline (25.3 %).
# The searched recipe (lambda 10, 1 h step, the one-run form of
# configs/lnl_cmnist.py) is configs/blindeye_cmnist.py.
_base_ = ['../../../configs/lnl_cmnist_paper.py']

model = dict(
    bias_neck=dict(_delete_=True, type='StopGradient'),
    uncertainty_loss='uniform_ce',
    entropy_weight=0.01)  # the confusion loss's weight
