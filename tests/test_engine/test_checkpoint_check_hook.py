"""CheckpointCheckHook through tools/test.py with configs/lnl_cmnist.py: a
baseline checkpoint evaluates the label path without the bias-head metric;
mis-shaped, incomplete or foreign weights are refused, naming them."""
import copy
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config
from mmpretrain.registry import MODELS

import lnl_mm  # noqa: F401
from lnl_mm.utils import CheckpointError

sys.path.insert(0, osp.join(osp.dirname(__file__), '..', 'test_tools'))
from tool_helpers import REPO, load_tool, sample_data_options  # noqa: E402

LNTL = osp.join(REPO, 'configs', 'lnl_cmnist.py')
BASELINE = osp.join(REPO, 'configs', 'baseline_cmnist.py')
test_tool = load_tool('test')


def model_state(config, **model_overrides):
    cfg = Config.fromfile(config)
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.update(model_overrides)
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    model.init_weights()
    return model.state_dict()


def save(path, state_dict):
    torch.save(dict(meta=dict(epoch=1, iter=1), state_dict=state_dict),
               str(path))
    return str(path)


@pytest.fixture(scope='module')
def run_test(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('ckpt_check')
    opts = ['test_dataloader.dataset.indices=40',
            'train_dataloader.dataset.indices=40'
            ] + sample_data_options()
    count = [0]

    def run(checkpoint, config=LNTL):
        count[0] += 1
        return test_tool.main([
            config, checkpoint, '--work-dir', str(tmp / f'w{count[0]}'),
            '--cfg-options', *opts,
            f'experiment_name=ckpt_check_{count[0]}'
        ])

    return tmp, run


def test_baseline_checkpoint_under_lntl_config_leaves_out_bias_head(
        run_test, capsys):
    tmp, run = run_test
    lntl = run(save(tmp / 'lntl.pth', model_state(LNTL)))
    assert 'accuracy/bias_head' in lntl  # a complete LNTL checkpoint
    capsys.readouterr()
    baseline = save(tmp / 'baseline.pth', model_state(BASELINE))
    metrics = run(baseline)
    assert 'accuracy/bias_head' not in metrics
    assert {'accuracy/top1', 'accuracy/conflicting'} <= set(metrics)
    out = capsys.readouterr().out
    assert f'Note: {baseline} has no weights for bias_head' in out
    # the label path is the baseline's: the same predictions as under the
    # baseline config (where the model has no h at all)
    assert run(baseline, BASELINE)['accuracy/top1'] == \
        metrics['accuracy/top1']


def test_mis_shaped_missing_or_foreign_weights_are_refused(run_test):
    tmp, run = run_test
    five = save(tmp / 'five.pth',
                model_state(LNTL, head=dict(
                    type='LinearClsHead', num_classes=5, in_channels=64)))
    with pytest.raises(CheckpointError) as info:
        run(five)
    message = str(info.value)
    assert five in message and 'head.fc.weight is (5, 64) in the ' \
        'checkpoint, (10, 64) in the model' in message
    assert 'head.fc.bias' in message and 'Refused: head' in message

    state = model_state(LNTL)
    no_f = {k: v for k, v in state.items()
            if not k.startswith('backbone.f.')}
    with pytest.raises(CheckpointError) as info:
        run(save(tmp / 'no_f.pth', no_f))
    assert 'missing weights: backbone.f.0.weight' in str(info.value)

    partial_h = {k: v for k, v in state.items()
                 if not k.startswith('bias_head.branches.0')}
    with pytest.raises(CheckpointError, match='bias_head.branches.0'):
        run(save(tmp / 'partial_h.pth', partial_h))

    other = save(tmp / 'other.pth',
                 {'fc1.weight': torch.zeros(3, 4), 'fc2.bias': torch.zeros(3)})
    with pytest.raises(CheckpointError, match='weights of another model'):
        run(other)


def test_checkpoint_with_non_finite_weights_is_refused(run_test):
    tmp, run = run_test
    state = model_state(BASELINE)
    state['head.fc.weight'][0, 0] = float('nan')
    nan = save(tmp / 'nan.pth', state)
    with pytest.raises(CheckpointError) as info:
        run(nan, BASELINE)
    assert nan in str(info.value) and 'head.fc.weight' in str(info.value)


def test_untrained_mark_hides_h_until_a_training_step():
    import lntl_ddp_worker as worker
    model = worker.build_model()

    def predict():  # fresh samples: predict writes into them
        data = model.data_preprocessor(
            worker.shard(worker.make_batches()[0], 0, 8), False)
        return model.predict(**data)[0]

    assert 'bias_pred_count' in predict()
    model.set_untrained_modules(['bias_head'])
    assert 'bias_pred_count' not in predict() and 'pred_label' in predict()
    with pytest.raises(ValueError, match='not optional'):
        model.set_untrained_modules(['head'])
    model.train_step(
        worker.shard(worker.make_batches()[0], 0, 8),
        worker.build_optim(model))
    assert model.untrained_modules == frozenset()
