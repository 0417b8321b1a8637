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
    # only before_train's hint about h's wasted warm-up steps (below)
    assert [level for level, _ in runner.records] == ['info']


@pytest.mark.parametrize('warmup_bias_steps', [0, 2])
def test_hint_when_h_is_trained_in_the_warm_up_and_then_reset(
        warmup_bias_steps):
    model, optim = trained()
    model.warmup_bias_steps = warmup_bias_steps
    runner = FakeRunner(model, optim, 0)
    UnlearningStartHook().before_train(runner)
    hints = [m for _, m in runner.records if 'skips that work' in m]
    assert len(hints) == (1 if warmup_bias_steps else 0)
    # resetting only the optimizers wastes nothing of h's warm-up
    runner = FakeRunner(model, optim, 0)
    UnlearningStartHook(modules=[]).before_train(runner)
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


CONFIG = osp.join(REPO, 'configs', 'lnl_cmnist.py')


def train_tiny(work_dir, name, epochs=(2, ), extra=()):
    """configs/lnl_cmnist.py through tools/train.py on 3 iterations of the
    embedded sample per epoch, warm-up 1 epoch, in one thread; ``epochs``
    lists the max_epochs of consecutive launches (each after the first
    resumes)."""
    opts = sample_data_options() + [
        'train_dataloader.dataset.indices=48',
        'train_dataloader.batch_size=16',
        'val_dataloader.dataset.indices=32', 'model.pretrain_epochs=1',
        'default_hooks.checkpoint.interval=1', 'custom_hooks=[]', *extra]
    train = load_tool('train').main
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for i, max_epochs in enumerate(epochs):
            train([CONFIG, '--work-dir', str(work_dir / name)] +
                  (['--resume'] if i else []) + ['--cfg-options'] + opts +
                  [f'train_cfg.max_epochs={max_epochs}',
                   f'experiment_name=unlearning_start_{name}_{i}'])
    finally:
        torch.set_num_threads(threads)
    return work_dir / name


def test_resumed_run_equals_uninterrupted_run(tmp_path):
    """Train 2 epochs (epoch 1 warm-up) in one go, and as 1 epoch then a
    resume to 2: the final checkpoints are bit-identical."""
    whole = read_checkpoint(train_tiny(tmp_path, 'whole') / 'epoch_2.pth')
    run = train_tiny(tmp_path, 'pieces', epochs=(1, 2))
    pieces = read_checkpoint(run / 'epoch_2.pth')
    warm = read_checkpoint(run / 'epoch_1.pth')
    for k, v in whole['state_dict'].items():
        assert torch.equal(pieces['state_dict'][k], v), k
    # h's BatchNorm counts the warm-up's 3 iterations times its warm-up
    # steps (none in lnl_cmnist.py) at epoch 1; it was re-initialised at the
    # switch, so at epoch 2 it counts only the unlearning epoch's 3
    # iterations (1 + bias_steps forwards each: phase A's and phase B's)
    model = Config.fromfile(CONFIG).model
    key = 'bias_head.branches.0.1.num_batches_tracked'
    assert int(warm['state_dict'][key]) == 3 * model.warmup_bias_steps
    assert int(whole['state_dict'][key]) == 3 * (1 + model.bias_steps)


def test_skipping_h_in_the_warm_up_leaves_the_weights_bit_identical(
        tmp_path):
    """h trained in every warm-up iteration (bias_steps times, as before
    warmup_bias_steps existed) or not at all: after the switch, where h is
    re-initialised, every parameter is bit-identical. Only f's BatchNorm
    running statistics differ: the skipped work ran f once more per
    warm-up iteration."""
    steps = Config.fromfile(CONFIG).model.bias_steps
    runs = {
        n: read_checkpoint(
            train_tiny(tmp_path, f'h{n}',
                       extra=[f'model.warmup_bias_steps={n}']) /
            'epoch_2.pth')['state_dict']
        for n in (0, steps)
    }
    h_trained = read_checkpoint(tmp_path / f'h{steps}' / 'epoch_1.pth')
    h_skipped = read_checkpoint(tmp_path / 'h0' / 'epoch_1.pth')
    key = 'bias_head.branches.0.0.weight'
    assert not torch.equal(h_trained['state_dict'][key],
                           h_skipped['state_dict'][key])  # h did train
    params = [k for k in runs[0] if not k.endswith(
        ('running_mean', 'running_var', 'num_batches_tracked'))]
    assert len(params) > 20
    for k in params:
        assert torch.equal(runs[0][k], runs[steps][k]), k
