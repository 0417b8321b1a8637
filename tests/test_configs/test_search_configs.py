"""The search configs under benchmarks/: they load, pass the config checks
the tools run before training, and keep the reference recipe's schedule
(configs/lnl_cmnist_20e.py) where they change the warm-up or the unlearning
length; the recommended configs/lnl_cmnist.py is the search's winner."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmpretrain.registry import MODELS

import lnl_mm  # noqa: F401
from lnl_mm.utils.preflight import check_config

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
SEARCH = osp.join(REPO, 'benchmarks', 'beyond_paper_search')


def is_config(path: str) -> bool:
    """A config inherits one (the folders also hold their table scripts)."""
    with open(path) as f:
        return '_base_ = ' in f.read()


SEARCH_CONFIGS = sorted(
    p for p in
    glob.glob(osp.join(SEARCH, '*.py')) +
    glob.glob(osp.join(REPO, 'benchmarks', 'blindeye_search', '*.py'))
    if is_config(p))


def lr_per_epoch(cfg: Config) -> list:
    """The main optimizer's lr during each epoch of ``cfg`` (MultiStepLR
    schedulers only, as the recipes use)."""
    base = cfg.optim_wrapper.main.optimizer.lr
    lrs = []
    for epoch in range(cfg.train_cfg.max_epochs):
        lr = base
        for sched in cfg.param_scheduler:
            assert sched['type'] == 'MultiStepLR'
            lr *= sched['gamma'] ** sum(m <= epoch
                                        for m in sched['milestones'])
        lrs.append(round(lr, 12))
    return lrs


def test_there_are_search_configs():
    names = {osp.basename(p) for p in SEARCH_CONFIGS}
    assert {'lntl_mu_dann.py', 'lntl_mu_dann3.py', 'lntl_ema.py',
            'lntl_ramp_h5_ema.py', 'lntl_image_bias.py',
            'lntl_warmup5.py', 'lntl_unlearn20.py',
            'blindeye_cmnist_from_baseline.py'} <= names


@pytest.mark.parametrize('path', SEARCH_CONFIGS,
                         ids=[osp.basename(p) for p in SEARCH_CONFIGS])
def test_search_config_passes_the_checks(path):
    cfg = Config.fromfile(path)
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.source = 'sample'
        cfg[f'{split}_dataloader'].num_workers = 0
        cfg[f'{split}_dataloader'].persistent_workers = False
    check_config(cfg, data_files=False)


# The recipe's 10 unlearning epochs: 0.001, 1e-4, 1e-5.
UNLEARNING_LRS = [0.001] * 4 + [1e-4] * 4 + [1e-5] * 2


def test_20_epoch_schedule_per_phase():
    """lnl_cmnist_20e.py, the search's reference: 0.01, 0.001, 1e-4 in the
    warm-up, 0.001, 1e-4, 1e-5 in the unlearning phase (the pattern the
    variants keep)."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'lnl_cmnist_20e.py'))
    assert lr_per_epoch(cfg) == [0.01] * 4 + [0.001] * 4 + [1e-4] * 2 + \
        UNLEARNING_LRS


@pytest.mark.parametrize('name, warm_up, warm_up_lrs', [
    ('lntl_warmup5.py', 5, [0.01] * 2 + [0.001] * 2 + [1e-4]),
    ('lntl_warmup20.py', 20, [0.01] * 8 + [0.001] * 8 + [1e-4] * 4),
    ('lntl_warmup40.py', 40, [0.01] * 16 + [0.001] * 16 + [1e-4] * 8),
])
def test_warm_up_length_keeps_the_unlearning_schedule(name, warm_up,
                                                      warm_up_lrs):
    """The warm-up's lr cuts scale with its length; unlearning is the
    recipe's."""
    cfg = Config.fromfile(osp.join(SEARCH, name))
    assert cfg.model.pretrain_epochs == warm_up
    assert lr_per_epoch(cfg) == warm_up_lrs + UNLEARNING_LRS


def test_longer_unlearning_scales_its_lr_drops():
    cfg = Config.fromfile(osp.join(SEARCH, 'lntl_unlearn20.py'))
    assert cfg.model.pretrain_epochs == 10
    assert lr_per_epoch(cfg) == [0.01] * 4 + [0.001] * 4 + [1e-4] * 2 + \
        [0.001] * 8 + [1e-4] * 8 + [1e-5] * 4


def test_mu_ramp_is_the_only_change():
    cfg = Config.fromfile(osp.join(SEARCH, 'lntl_mu_dann.py'))
    ref = Config.fromfile(osp.join(REPO, 'configs', 'lnl_cmnist_20e.py'))
    assert cfg.model.bias_neck == dict(ref.model.bias_neck, schedule='dann',
                                       gamma=10.0)
    assert cfg.param_scheduler == ref.param_scheduler


def test_ema_starts_at_the_switch_and_changes_nothing_else():
    cfg = Config.fromfile(osp.join(SEARCH, 'lntl_ema.py'))
    ref = Config.fromfile(osp.join(REPO, 'configs', 'lnl_cmnist_20e.py'))
    *kept, ema = cfg.custom_hooks
    assert kept == ref.custom_hooks
    assert ema.type == 'EMAHook'
    assert ema.begin_epoch == ref.model.pretrain_epochs + 1
    assert ema.update_buffers
    assert cfg.model == ref.model
    assert cfg.param_scheduler == ref.param_scheduler


def test_stronger_mu_ramp_changes_only_its_end_value():
    cfg = Config.fromfile(osp.join(SEARCH, 'lntl_mu_dann3.py'))
    ramp = Config.fromfile(osp.join(SEARCH, 'lntl_mu_dann.py'))
    assert cfg.model.bias_neck == dict(ramp.model.bias_neck, mu=3.0)
    assert cfg.param_scheduler == ramp.param_scheduler


def test_combined_candidate_is_its_three_parts():
    cfg = Config.fromfile(osp.join(SEARCH, 'lntl_ramp_h5_ema.py'))
    ramp = Config.fromfile(osp.join(SEARCH, 'lntl_mu_dann.py'))
    ema = Config.fromfile(osp.join(SEARCH, 'lntl_ema.py'))
    assert cfg.model == dict(ramp.model, bias_steps=5)
    assert cfg.custom_hooks == ema.custom_hooks
    assert cfg.param_scheduler == ramp.param_scheduler


def test_image_bias_candidate_changes_only_h():
    """h in the probe's form (pooled f -> BatchNorm -> Linear -> colour
    class); f, g, lambda, mu, h's steps, the warm-up and the schedule are
    the recipe's."""
    cfg = Config.fromfile(osp.join(SEARCH, 'lntl_image_bias.py'))
    ref = Config.fromfile(osp.join(REPO, 'configs', 'lnl_cmnist_20e.py'))
    head = MODELS.build(cfg.model.bias_head)
    assert type(head).__name__ == 'BiasClassificationHead'
    assert (head.in_channels, head.num_classes, head.pool,
            head.target_key) == (32, 10, 'avg', 'bias_label')
    assert isinstance(head.norm, torch.nn.BatchNorm1d)
    assert {k: v for k, v in cfg.model.items() if k != 'bias_head'} == \
        {k: v for k, v in ref.model.items() if k != 'bias_head'}
    assert cfg.param_scheduler == ref.param_scheduler
    assert cfg.custom_hooks == ref.custom_hooks


def test_wide_h_ema_is_the_wide_h_with_the_moving_average():
    """The wide h's model and schedule (configs/lnl_cmnist_wide_h.py) with
    lntl_ema.py's moving average, nothing else."""
    cfg = Config.fromfile(osp.join(SEARCH, 'lntl_wide_h_ema.py'))
    wide = Config.fromfile(osp.join(REPO, 'configs', 'lnl_cmnist_wide_h.py'))
    ema = Config.fromfile(osp.join(SEARCH, 'lntl_ema.py'))
    assert cfg.model == wide.model
    assert cfg.custom_hooks == ema.custom_hooks
    assert cfg.param_scheduler == wide.param_scheduler
    assert cfg.train_cfg == wide.train_cfg


def test_half_step_differs_from_the_step_schedule_only_in_its_factor():
    """mu 1.0 for the first 3 unlearning epochs, then 0.5 (the step
    schedule's 0.3); the rest is lntl_wide_h_mu_step.py."""
    cfg = Config.fromfile(osp.join(SEARCH, 'lntl_wide_h_mu_half.py'))
    step = Config.fromfile(osp.join(SEARCH, 'lntl_wide_h_mu_step.py'))
    assert cfg.model == dict(
        step.model, bias_neck=dict(step.model.bias_neck, factor=0.5))
    assert cfg.param_scheduler == step.param_scheduler
    neck = MODELS.build(cfg.model.bias_neck)
    assert [neck.current_mu(p) for p in (0.0, 0.29, 0.3, 1.0)] == \
        [1.0, 1.0, 0.5, 0.5]


def test_late_lr_cuts_change_only_the_unlearning_schedule():
    """The step schedule's model and warm-up; in the unlearning stage lr
    0.001 for 6 epochs, 1e-4 for 3 and 1e-5 for 1 (the recipe's 4, 4, 2)."""
    cfg = Config.fromfile(osp.join(SEARCH, 'lntl_wide_h_mu_step_late_lr.py'))
    step = Config.fromfile(osp.join(SEARCH, 'lntl_wide_h_mu_step.py'))
    assert cfg.model == step.model
    assert cfg.custom_hooks == step.custom_hooks
    assert cfg.train_cfg == step.train_cfg
    lrs = lr_per_epoch(cfg)
    assert lrs[:10] == lr_per_epoch(step)[:10]
    assert lrs[10:] == [0.001] * 6 + [1e-4] * 3 + [1e-5]


def test_authors_start_keeps_momentum_and_the_last_warm_up_lr():
    """lntl_authors_start.py: the first unlearning epoch at the warm-up's
    last lr and f's and g's momentum kept, as loading the baseline's
    optimizer state does; h is still re-initialised."""
    cfg = Config.fromfile(osp.join(SEARCH, 'lntl_authors_start.py'))
    hook = cfg.default_hooks.unlearning_start
    assert hook.reset_optimizer_state is False
    assert hook.modules == ['bias_head']
    assert lr_per_epoch(cfg) == [0.01] * 4 + [0.001] * 4 + [1e-4] * 2 + \
        [1e-4] + [0.001] * 3 + [1e-4] * 4 + [1e-5] * 2


def test_two_steps_add_a_second_milestone_to_the_step_schedule():
    """mu 1.0 for the first 3 unlearning epochs, 0.3 for the next 3, then
    0.09; the rest is lntl_wide_h_mu_step.py."""
    cfg = Config.fromfile(osp.join(SEARCH, 'lntl_wide_h_mu_two_steps.py'))
    step = Config.fromfile(osp.join(SEARCH, 'lntl_wide_h_mu_step.py'))
    assert cfg.model == dict(
        step.model, bias_neck=dict(step.model.bias_neck,
                                   milestones=[0.3, 0.6]))
    assert cfg.param_scheduler == step.param_scheduler
    neck = MODELS.build(cfg.model.bias_neck)
    assert [round(neck.current_mu(p), 6)
            for p in (0.0, 0.29, 0.3, 0.59, 0.6, 1.0)] == \
        [1.0, 1.0, 0.3, 0.3, 0.09, 0.09]


def test_longer_step_schedule_scales_the_lr_drops_and_keeps_the_model():
    """lntl_wide_h_mu_step.py's model (the mu step at the same fraction of
    the phase) with lntl_unlearn20.py's 20 unlearning epochs."""
    cfg = Config.fromfile(
        osp.join(SEARCH, 'lntl_wide_h_mu_step_unlearn20.py'))
    step = Config.fromfile(osp.join(SEARCH, 'lntl_wide_h_mu_step.py'))
    longer = Config.fromfile(osp.join(SEARCH, 'lntl_unlearn20.py'))
    assert cfg.model == step.model
    assert cfg.custom_hooks == step.custom_hooks
    assert cfg.train_cfg == longer.train_cfg
    assert lr_per_epoch(cfg) == lr_per_epoch(longer)


@pytest.mark.parametrize('name, warm_up_cfg, warm_up', [
    ('lntl_wide_h_mu_step_warmup5.py', 'lntl_warmup5.py', 5),
    ('lntl_wide_h_mu_step_warmup20.py', 'lntl_warmup20.py', 20),
    ('lntl_wide_h_mu_step_warmup40.py', 'lntl_warmup40.py', 40),
])
def test_step_schedule_with_another_warm_up(name, warm_up_cfg, warm_up):
    """lntl_wide_h_mu_step.py's model after a 5-, 20- or 40-epoch warm-up,
    with the same 10 unlearning epochs."""
    cfg = Config.fromfile(osp.join(SEARCH, name))
    step = Config.fromfile(osp.join(SEARCH, 'lntl_wide_h_mu_step.py'))
    other = Config.fromfile(osp.join(SEARCH, warm_up_cfg))
    assert cfg.model == dict(step.model, pretrain_epochs=warm_up)
    assert cfg.custom_hooks == step.custom_hooks
    assert cfg.train_cfg == other.train_cfg
    assert lr_per_epoch(cfg) == lr_per_epoch(other)


def test_recommended_recipe_is_the_searched_winner():
    """configs/lnl_cmnist.py is, key for key, the candidate the search
    replicated at every color_var (lntl_wide_h_mu_step_warmup40.py), so its
    results there are the recipe's."""
    shipped = Config.fromfile(osp.join(REPO, 'configs', 'lnl_cmnist.py'))
    winner = Config.fromfile(
        osp.join(SEARCH, 'lntl_wide_h_mu_step_warmup40.py'))
    assert shipped.to_dict() == winner.to_dict()
    assert shipped.model.pretrain_epochs == 40
    assert lr_per_epoch(shipped) == [0.01] * 16 + [0.001] * 16 + \
        [1e-4] * 8 + UNLEARNING_LRS
