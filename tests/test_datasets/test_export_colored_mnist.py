"""tools/dataset_converters/export_colored_mnist.py: ColoredMNIST written as
PNGs + annotation files and read back through BiasedImageDataset gives the
same pixels, labels, bias labels, alignment and model inputs as the native
dataset."""
import importlib.util
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmpretrain.registry import DATASETS, MODELS

import lnl_mm  # noqa: F401

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
SPLITS = ('train', 'val', 'test')


def load_export_tool():
    path = osp.join(REPO, 'tools', 'dataset_converters',
                    'export_colored_mnist.py')
    spec = importlib.util.spec_from_file_location('export_cmnist', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


export_tool = load_export_tool()


@pytest.fixture
def exported(tmp_path, plain_idx_root):
    """The tiny IDX digits (100 train / 20 val / 40 test) exported with the
    shipped dataset config (val coloured like test); returns
    (png folder, the dataset options used)."""
    options = dict(source='idx', data_root=str(plain_idx_root), num_val=20)
    out = tmp_path / 'png'
    counts = export_tool.main([
        str(out), '--dataset-options',
        *[f'{k}={v}' for k, v in options.items()]
    ])
    assert counts == dict(train=100, val=20, test=40)
    return out, options


def native(config, split, options):
    cfg = Config.fromfile(osp.join(REPO, 'configs', config))
    return DATASETS.build(dict(cfg[f'{split}_dataloader'].dataset,
                               **options)), cfg


def generic(config, split, root):
    cfg = Config.fromfile(osp.join(REPO, 'configs', config))
    return DATASETS.build(dict(cfg[f'{split}_dataloader'].dataset,
                               data_root=str(root))), cfg


@pytest.mark.parametrize('split', SPLITS)
def test_pngs_round_trip_pixels_labels_and_alignment(exported, split):
    out, options = exported
    reference, _ = native('baseline_cmnist.py', split, dict(options,
                                                            pipeline=[]))
    loaded = DATASETS.build(
        dict(type='BiasedImageDataset', data_root=str(out),
             ann_file=f'meta/{split}.txt', classes=str(out / 'meta' /
                                                       'classes.txt'),
             bias_classes=10, pipeline=[dict(type='LoadImageFromFile')]))
    assert len(loaded) == len(reference)
    for i in range(len(reference)):
        want, got = reference.get_data_info(i), loaded[i]
        # PNG is lossless; LoadImageFromFile reads BGR
        np.testing.assert_array_equal(got['img'][..., ::-1], want['img'])
        assert (got['gt_label'], got['bias_label']) == (want['gt_label'],
                                                        want['bias_label'])
        # the native "bias == label" equals the generic "the class's
        # majority bias in training"
        assert got['bias_aligned'] == want['bias_aligned']
    assert loaded.metainfo['classes'] == reference.metainfo['classes']


def test_png_configs_feed_the_model_the_same_batches(exported):
    out, options = exported
    for split in SPLITS:
        want_set, want_cfg = native('baseline_cmnist.py', split, options)
        got_set, got_cfg = generic('baseline_cmnist_png.py', split, out)
        indices = range(0, len(want_set), 3)
        batches = []
        for dataset, cfg in ((want_set, want_cfg), (got_set, got_cfg)):
            preprocessor = MODELS.build(cfg.data_preprocessor)
            batches.append(preprocessor(
                pseudo_collate([dataset[i] for i in indices]), True))
        assert torch.equal(batches[0]['inputs'], batches[1]['inputs'])
        for want, got in zip(batches[0]['data_samples'],
                             batches[1]['data_samples']):
            assert torch.equal(want.gt_label, got.gt_label)
            assert want.bias_label == got.bias_label
            assert want.bias_aligned == got.bias_aligned


def flat(config):
    def walk(d, prefix=''):
        for key, value in d.items():
            if isinstance(value, dict):
                yield from walk(value, f'{prefix}{key}.')
            else:
                yield f'{prefix}{key}', value

    return dict(walk(Config.fromfile(osp.join(REPO, 'configs',
                                              config)).to_dict()))


@pytest.mark.parametrize('native_config, png_config', [
    ('baseline_cmnist.py', 'baseline_cmnist_png.py'),
    ('lnl_cmnist_image_bias.py', 'lnl_cmnist_image_bias_png.py'),
])
def test_png_configs_differ_from_the_native_ones_only_in_the_data(
        native_config, png_config):
    want, got = flat(native_config), flat(png_config)
    differing = {k for k in set(want) | set(got) if want.get(k) != got.get(k)}
    data_keys = {'color_var', 'data_root', 'data_seed', 'dataset_type',
                 'download', 'download_timeout', 'pipeline', 'source',
                 'data_preprocessor.to_rgb'}
    assert differing, 'the data must differ'
    assert all(k in data_keys or '_dataloader.dataset.' in k
               for k in differing), sorted(differing)


def test_export_refuses_to_overwrite_and_other_datasets(exported, tmp_path):
    out, options = exported
    args = [str(out), '--splits', 'val', '--dataset-options',
            *[f'{k}={v}' for k, v in options.items()]]
    with pytest.raises(FileExistsError, match=r"\['val'\].*--overwrite"):
        export_tool.main(args)
    assert export_tool.main(args + ['--overwrite']) == dict(val=20)
    png_cfg = osp.join(REPO, 'configs', 'baseline_cmnist_png.py')
    with pytest.raises(ValueError, match='exports ColoredMNIST'):
        export_tool.main([str(tmp_path / 'x'), '--config', png_cfg])
    assert not osp.exists(tmp_path / 'x')  # nothing written
