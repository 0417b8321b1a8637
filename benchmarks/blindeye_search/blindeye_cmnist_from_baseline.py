# BlindEye (Alvi et al. 2018) in the two-stage form LNTL's search used
# (configs/lnl_cmnist_from_baseline.py): 10 unlearning epochs from the
# baseline's epoch_10.pth, h learning the colour on detached f features
# (StopGradient neck) and f, g trained with CE + lambda x the confusion
# loss (uniform_ce). The search (commands.sh) varies lambda
# (model.entropy_weight) and h's steps per iteration (model.bias_steps), the
# knobs LNTL's search tuned besides mu, which BlindEye does not have.
_base_ = ['../../configs/lnl_cmnist_from_baseline.py']

model = dict(
    bias_neck=dict(_delete_=True, type='StopGradient'),
    uncertainty_loss='uniform_ce',
    entropy_weight=0.01)  # lambda, the confusion loss's weight
