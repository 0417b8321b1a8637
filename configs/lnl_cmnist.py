# lnl_mm's recommended LNTL recipe: the paper's two stages in one run.
# 10 epochs of baseline training (plain cross-entropy at lr 0.01, x0.1 at
# epochs 4 and 8; h learns on detached features), then, as if starting from
# that baseline checkpoint, 10 unlearning epochs with a fresh bias predictor
# h and fresh optimizer state (UnlearningStartHook) at lr 0.001 (x0.1 at
# epochs 14 and 18), with lambda = 0.1, mu = 1.0 and 3 updates of h per
# iteration (bias_steps: 2 on detached features of the updated f, then the
# paper's reversal step). The network, losses and optimizers are the
# paper's (lnl_cmnist_paper.py). lambda, mu and bias_steps were chosen by a
# search ranked on the validation split at full scale; the recipe was
# replicated on 4 seeds (benchmarks/full_scale/). The same with the paper's
# single h step: benchmarks/full_scale/configs/lnl_cmnist_session4.py. The
# paper's own two-stage form and hyper-parameters: lnl_cmnist_from_baseline.py.
_base_ = ['./lnl_cmnist_paper.py']

model = dict(
    entropy_weight=0.1,  # lambda
    bias_neck=dict(mu=1.0),
    pretrain_epochs=10,
    bias_steps=3,
    # h is re-initialised when unlearning starts (UnlearningStartHook), so
    # it is not trained during the warm-up: a warm-up iteration costs what
    # a baseline iteration costs
    warmup_bias_steps=0)

# x0.1 at 4, 8, 14 and 18, and x10 at the switch (epoch 10): 0.01, 0.001,
# 1e-4 | 0.001, 1e-4, 1e-5; both optimizers follow it. A different warm-up
# length (model.pretrain_epochs) needs the x10 milestone moved with it.
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[4, 8, 14, 18],
         gamma=0.1),
    dict(type='MultiStepLR', by_epoch=True, milestones=[10], gamma=10.0),
]
train_cfg = dict(max_epochs=20)

default_hooks = dict(
    unlearning_start=dict(
        type='UnlearningStartHook',
        modules=['bias_head'],
        reset_optimizer_state=True))
