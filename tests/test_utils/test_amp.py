"""``enable_amp``: both optimizer-wrapper shapes, and the CPU refusal."""
import pytest
from mmengine.config import Config

from lnl_mm.utils import amp as amp_module
from lnl_mm.utils import enable_amp


@pytest.fixture
def with_device(monkeypatch):
    """Pretend an AMP-capable device exists (the transform is device-free)."""
    monkeypatch.setattr(amp_module, 'amp_device_available', lambda: True)


def sgd(lr):
    return dict(type='SGD', lr=lr, momentum=0.9, weight_decay=5e-4)


def test_single_optim_wrapper(with_device):
    cfg = Config(dict(optim_wrapper=dict(type='OptimWrapper',
                                         optimizer=sgd(0.01))))
    enable_amp(cfg)
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    assert cfg.optim_wrapper.optimizer.lr == 0.01


def test_optim_wrapper_dict_converts_every_sub_wrapper(with_device):
    cfg = Config(
        dict(
            optim_wrapper=dict(
                constructor='LNTLOptimWrapperConstructor',
                main=dict(type='OptimWrapper', optimizer=sgd(0.01)),
                bias=dict(
                    type='OptimWrapper',
                    optimizer=sgd(0.001),
                    loss_scale=512.))))
    enable_amp(cfg)
    ow = cfg.optim_wrapper
    assert ow.constructor == 'LNTLOptimWrapperConstructor'
    assert set(ow) == {'constructor', 'main', 'bias'}  # no foreign keys
    assert ow.main.type == ow.bias.type == 'AmpOptimWrapper'
    assert ow.main.loss_scale == 'dynamic'
    assert ow.bias.loss_scale == 512.  # an explicit choice is kept
    assert ow.bias.optimizer.lr == 0.001


def test_nothing_to_convert_is_an_error(with_device):
    cfg = Config(dict(optim_wrapper=dict(constructor='X', main=dict(lr=1))))
    with pytest.raises(ValueError, match='no optimizer wrapper'):
        enable_amp(cfg)


def test_refused_without_cuda(monkeypatch):
    monkeypatch.setattr(amp_module, 'amp_device_available', lambda: False)
    cfg = Config(dict(optim_wrapper=dict(type='OptimWrapper',
                                         optimizer=sgd(0.01))))
    with pytest.raises(RuntimeError, match='--amp needs a CUDA device'):
        enable_amp(cfg)
    assert cfg.optim_wrapper.type == 'OptimWrapper'


def test_amp_dtype_is_set_on_every_wrapper_unless_chosen(with_device):
    cfg = Config(
        dict(optim_wrapper=dict(
            constructor='LNTLOptimWrapperConstructor',
            main=dict(type='OptimWrapper', optimizer=sgd(0.01)),
            bias=dict(type='OptimWrapper', optimizer=sgd(0.01),
                      dtype='float16'))))
    enable_amp(cfg, dtype='bfloat16')
    assert cfg.optim_wrapper.main.dtype == 'bfloat16'
    assert cfg.optim_wrapper.bias.dtype == 'float16'  # explicit choice kept
    single = Config(dict(optim_wrapper=dict(type='OptimWrapper',
                                            optimizer=sgd(0.01))))
    assert enable_amp(single).optim_wrapper.dtype == 'float16'
    with pytest.raises(ValueError, match='bfloat16'):
        enable_amp(single, dtype='float8')
