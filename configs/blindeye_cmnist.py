# BlindEye ("Turning a Blind Eye", Alvi et al. 2018) on the LNTL network and
# schedule: the bias head h learns the per-pixel colour on *detached* f
# features (StopGradient neck, no gradient reversal), while f and g are
# trained with cross-entropy plus lambda times the confusion loss, the
# cross-entropy between h's softmax and the uniform distribution
# (uncertainty_loss='uniform_ce'). Warm-up, optimizers, lambda and the
# 10-epoch schedule are those of configs/lnl_cmnist_paper.py, so only the
# unlearning mechanism differs. One job:
#   python tools/train.py configs/blindeye_cmnist.py
# Results (color_var 0.020, 3 seeds): README.md (results table),
# metafile.yml, docs/reproduce_paper.md.
_base_ = ['./lnl_cmnist_paper.py']

model = dict(
    bias_neck=dict(_delete_=True, type='StopGradient'),
    uncertainty_loss='uniform_ce',
    entropy_weight=0.01)  # the confusion loss's weight
