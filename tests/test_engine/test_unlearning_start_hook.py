"""UnlearningStartHook: at the first unlearning epoch of a one-run LNTL
recipe, h gets fresh weights and the optimizers lose their momentum, as in
the paper's two-stage form; nothing else changes, the fresh weights do not
depend on what happened before, and a resumed run equals an uninterrupted
one (configs/lnl_cmnist.py through tools/train.py)."""
import copy
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config

import lnl_mm  # noqa: F401
import lntl_ddp_worker as worker
from lnl_mm.engine.hooks import UnlearningStartHook
from lnl_mm.utils import ConfigError, read_checkpoint

sys.path.insert(0, osp.join(osp.dirname(__file__), '..', 'test_tools'))
from tool_helpers import REPO, load_tool, sample_data_options  # noqa: E402


class FakeRunner:
    """What the hook reads from a Runner, and a logger that records."""

    def __init__(self, model, optim_wrapper, epoch, seed=7):
        self.model, self.optim_wrapper = model, optim_wrapper
        self.epoch, self.seed = epoch, seed
        self.records = []
        self.logger = self

    def info(self, msg):
        self.records.append(('info', msg))

    def warning(self, msg):
        self.records.append(('warning', msg))


def trained(steps=2, pretrain_epochs=3):
    """The LNTL model and its optimizers after ``steps`` training steps (so
    h's weights, BatchNorm statistics and the momentum are not initial)."""
    model = worker.build_model()
    model.pretrain_epochs = pretrain_epochs
    optim = worker.build_optim(model)
    for data in worker.make_batches()[:steps]:
        model.train_step(copy.deepcopy(data), optim)
    return model, optim


def snapshot(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def run_hook(model, optim, epoch, **kwargs):
    runner = FakeRunner(model, optim, epoch)
    hook = UnlearningStartHook(**kwargs)
    hook.before_train(runner)
    hook.before_train_epoch(runner)
    return runner


def test_first_unlearning_epoch_resets_h_and_momentum_only():
    model, optim = trained()
    label_path = snapshot(model.backbone), snapshot(model.head)
    old_h = snapshot(model.bias_head)
    assert optim['main'].optimizer.state and optim['bias'].optimizer.state

    runner = run_hook(model, optim, epoch=3)

    new_h = snapshot(model.bias_head)
    changed = [k for k in old_h
               if k.endswith('weight') and not torch.equal(old_h[k], new_h[k])]
    assert len(changed) == len([k for k in old_h if k.endswith('weight')])
    bn = model.bias_head.branches[0][1]
    assert torch.equal(bn.running_mean, torch.zeros_like(bn.running_mean))
    assert torch.equal(bn.running_var, torch.ones_like(bn.running_var))
    for before, module in zip(label_path, (model.backbone, model.head)):
        for k, v in snapshot(module).items():
            assert torch.equal(v, before[k]), k
    assert not optim['main'].optimizer.state
    assert not optim['bias'].optimizer.state
    assert 'Unlearning starts at epoch 4' in runner.records[-1][1]


def test_fresh_weights_depend_on_seed_and_epoch_not_on_history():
    first, optim1 = trained(steps=1)
    second, optim2 = trained(steps=3)
    run_hook(first, optim1, epoch=3)
    run_hook(second, optim2, epoch=3)
    for k, v in snapshot(first.bias_head).items():
        assert torch.equal(v, snapshot(second.bias_head)[k]), k

    # the global random stream is left where it was
    torch.manual_seed(11)
    expected = torch.rand(4)
    model, optim = trained()
    torch.manual_seed(11)
    run_hook(model, optim, epoch=3)
    assert torch.equal(torch.rand(4), expected)


@pytest.mark.parametrize('epoch', [0, 2, 4])
def test_other_epochs_change_nothing(epoch):
    model, optim = trained()
    before = snapshot(model)
    momentum = len(optim['bias'].optimizer.state)
    runner = run_hook(model, optim, epoch=epoch)
    for k, v in snapshot(model).items():
        assert torch.equal(v, before[k]), k
    assert len(optim['bias'].optimizer.state) == momentum
    assert not runner.records


def test_optimizer_state_can_be_kept():
    model, optim = trained()
    run_hook(model, optim, epoch=3, reset_optimizer_state=False)
    assert optim['main'].optimizer.state


def test_without_warm_up_it_warns_and_does_nothing():
    model, optim = trained(pretrain_epochs=0)
    before = snapshot(model.bias_head)
    runner = run_hook(model, optim, epoch=0)
    assert 'does nothing: model.pretrain_epochs is 0' in runner.records[0][1]
    for k, v in snapshot(model.bias_head).items():
        assert torch.equal(v, before[k]), k


def test_bad_configurations_are_refused_with_the_fix():
    model, optim = trained()
    with pytest.raises(ConfigError, match=r"no submodule bias_hed; set "
                       r"modules to some of \[.*'bias_head'"):
        run_hook(model, optim, epoch=3, modules=['bias_hed'])
    with pytest.raises(ConfigError, match='must be a list'):
        UnlearningStartHook(modules='bias_head')
    plain = torch.nn.Linear(2, 2)
    with pytest.raises(ConfigError, match='needs a model with a warm-up'):
        UnlearningStartHook().before_train(FakeRunner(plain, None, 0))


def test_resumed_run_equals_uninterrupted_run(tmp_path):
    """Train 2 epochs (epoch 1 warm-up) in one go, and as 1 epoch then a
    resume to 2: the final checkpoints are bit-identical."""
    config = osp.join(REPO, 'configs', 'lnl_cmnist.py')
    opts = sample_data_options() + ['train_dataloader.dataset.indices=48',
             'train_dataloader.batch_size=16',
             'val_dataloader.dataset.indices=32', 'model.pretrain_epochs=1',
             'default_hooks.checkpoint.interval=1', 'custom_hooks=[]']
    train = load_tool('train').main
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for name, steps in (('whole', [2]), ('pieces', [1, 2])):
            for i, epochs in enumerate(steps):
                train([config, '--work-dir', str(tmp_path / name)] +
                      (['--resume'] if i else []) + ['--cfg-options'] + opts +
                      [f'train_cfg.max_epochs={epochs}',
                       f'experiment_name=unlearning_start_{name}_{i}'])
    finally:
        torch.set_num_threads(threads)
    whole = read_checkpoint(tmp_path / 'whole' / 'epoch_2.pth')
    pieces = read_checkpoint(tmp_path / 'pieces' / 'epoch_2.pth')
    warm = read_checkpoint(tmp_path / 'pieces' / 'epoch_1.pth')
    for k, v in whole['state_dict'].items():
        assert torch.equal(pieces['state_dict'][k], v), k
    # h was re-initialised at the switch: its BatchNorm counts the warm-up's
    # 3 iterations (bias_steps forwards each, all in phase B) at epoch 1,
    # and at epoch 2 only the unlearning epoch's 3 iterations (1 + bias_steps
    # forwards each: phase A's and phase B's), not the warm-up's as well
    steps = Config.fromfile(config).model.bias_steps
    key = 'bias_head.branches.0.1.num_batches_tracked'
    assert int(warm['state_dict'][key]) == 3 * steps
    assert int(whole['state_dict'][key]) == 3 * (1 + steps)
