# The step schedule of lntl_wide_h_mu_step.py with the unlearning stage's
# learning-rate cuts moved later: lr 0.001 for the first 6 of the 10
# unlearning epochs (4 in the recipe), x0.1 at epochs 16 and 19 instead of
# 14 and 18. At color_var 0.050 the step schedule ends with a training
# loss_cls near 0.10 (epoch means 0.134 to 0.104 over epochs 14-20 on seed
# 0 with half its step), well above what the same network reaches without
# the shortcut: f and g underfit the labels once lr reaches 1e-4. More
# epochs at 0.001 are aimed at fitting them; the warm-up is unchanged.
_base_ = ['./lntl_wide_h_mu_step.py']

param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[4, 8, 16, 19],
         gamma=0.1),
    dict(type='MultiStepLR', by_epoch=True, milestones=[10], gamma=10.0),
]
