"""ColoredMNIST's batched fetch (``__getitems__`` and ``pack_batch``) gives
exactly what packing sample by sample gives."""
import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmpretrain.datasets.transforms import PackInputs
from torch.utils.data import DataLoader

import lnl_mm.datasets.colored_mnist as colored_mnist_module
from lnl_mm.datasets import ColoredMNIST
from lnl_mm.datasets.batch_packing import pack_batch, sole_pack_inputs
from lnl_mm.models.utils import LNTLDataPreprocessor

KEYS = ('bias_label', 'bias_aligned', 'color_target')


def build(root, pipeline=None, **kwargs):
    pipeline = pipeline or [dict(type='PackInputs', algorithm_keys=KEYS)]
    return ColoredMNIST(data_root=str(root), source='idx', split='train',
                        pipeline=pipeline, **kwargs)


def assert_same_value(a, b, where):
    assert type(a) is type(b), where
    if isinstance(a, torch.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert a.is_contiguous() == b.is_contiguous(), where
        assert torch.equal(a, b), where
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert np.array_equal(a, b), where
    else:
        assert a == b, where


def assert_same_packing(batched, single):
    assert len(batched) == len(single)
    for i, (b, s) in enumerate(zip(batched, single)):
        assert list(b) == list(s), i
        assert_same_value(b['inputs'], s['inputs'], (i, 'inputs'))
        bs, ss = b['data_samples'], s['data_samples']
        assert type(bs) is type(ss)
        assert bs.metainfo == ss.metainfo, i
        assert set(bs.keys()) == set(ss.keys()), i
        for key in ss.keys():
            assert_same_value(bs.get(key), ss.get(key), (i, key))


def test_getitems_equals_getitem_field_by_field(plain_idx_root):
    ds = build(plain_idx_root)
    assert len(ds) > 40
    indices = [5, 0, 17, len(ds) - 1, -3, 5]
    assert_same_packing(ds.__getitems__(indices), [ds[i] for i in indices])
    assert ds.__getitems__([]) == []
    with pytest.raises(IndexError, match='out of range'):
        ds.__getitems__([0, len(ds)])


def test_batch_results_share_no_memory_with_the_data_set(plain_idx_root):
    ds = build(plain_idx_root)
    before = ds[3]
    packed = ds.__getitems__([3, 4])
    packed[0]['inputs'].fill_(7)
    packed[0]['data_samples'].color_target[...] = 7
    packed[0]['data_samples'].gt_label.fill_(7)
    assert_same_packing([ds[3]], [before])


def test_the_preprocessed_batch_is_identical(plain_idx_root):
    """What the model receives, inputs and labels, is bit for bit the same,
    so a training is unchanged by the batched fetch."""
    ds = build(plain_idx_root)
    pre = LNTLDataPreprocessor(
        channels_last=True, num_classes=10, mean=[120.0, 110.0, 100.0],
        std=[50.0, 55.0, 60.0])
    indices = list(range(0, 40, 3))
    a = pre(pseudo_collate(ds.__getitems__(indices)), True)
    b = pre(pseudo_collate([ds[i] for i in indices]), True)
    assert a['inputs'].stride() == b['inputs'].stride()
    assert torch.equal(a['inputs'], b['inputs'])
    assert torch.equal(torch.cat([s.gt_label for s in a['data_samples']]),
                       torch.cat([s.gt_label for s in b['data_samples']]))


def test_a_dataloader_fetches_through_getitems(plain_idx_root, monkeypatch):
    ds = build(plain_idx_root)
    calls = []
    real = colored_mnist_module.pack_batch

    def counting(rows, pack):
        calls.append(len(rows))
        return real(rows, pack)

    monkeypatch.setattr(colored_mnist_module, 'pack_batch', counting)
    loader = DataLoader(ds, batch_size=8, shuffle=False,
                        collate_fn=pseudo_collate)
    batch = next(iter(loader))
    assert calls == [8]
    reference = pseudo_collate([ds[i] for i in range(8)])
    assert torch.equal(torch.stack(batch['inputs']),
                       torch.stack(reference['inputs']))


def test_other_pipelines_are_applied_sample_by_sample(plain_idx_root,
                                                      monkeypatch):
    ds = build(plain_idx_root, pipeline=[
        dict(type='ToGrayscale'),
        dict(type='PackInputs', algorithm_keys=KEYS)
    ])
    assert sole_pack_inputs(ds.pipeline) is None
    monkeypatch.setattr(colored_mnist_module, 'pack_batch',
                        lambda *a: pytest.fail('batched a custom pipeline'))
    packed = ds.__getitems__([1, 2])
    gray = packed[0]['inputs']
    assert torch.equal(gray[0], gray[1]) and torch.equal(gray[0], gray[2])
    assert_same_packing(packed, [ds[1], ds[2]])


def test_pack_batch_declines_what_it_cannot_pack_like_packinputs():
    pack = PackInputs(algorithm_keys=('color_target', ))
    row = dict(img=np.zeros((4, 4, 3), np.uint8), gt_label=1,
               color_target=np.zeros((3, 2, 2), np.int64), sample_idx=0)
    assert pack_batch([row, dict(row, img=np.zeros((5, 4, 3), np.uint8))],
                      pack) is None  # ragged images
    assert pack_batch([row, dict(row, gt_label='1')], pack) is None
    assert pack_batch([dict(row, gt_score=np.ones(2))], pack) is None
    assert pack_batch([row, {'img': row['img']}], pack) is None
    gray = dict(row, img=np.arange(16, dtype=np.uint8).reshape(4, 4))
    assert_same_packing(pack_batch([gray], pack), [pack(dict(gray))])
