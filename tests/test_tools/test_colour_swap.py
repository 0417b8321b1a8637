"""tools/visualization/colour_swap.py on tiny untrained checkpoints: the
figure, and predictions that match an independent computation."""
import json
import os.path as osp

import matplotlib.image as mpimg
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATASETS

from fresh_checkpoints import REPO, build_model, save_checkpoint
from tool_helpers import load_tool

colour_swap = load_tool('visualization/colour_swap')
SAMPLE = ['test_dataloader.dataset.source=sample',
          'train_dataloader.dataset.source=sample']


def sample_split(split):
    """The embedded sample's split as configs/lnl_cmnist.py builds it."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'lnl_cmnist.py'))
    init_default_scope('mmpretrain')
    dataset_cfg = cfg[f'{split}_dataloader'].dataset.copy()
    dataset_cfg.update(source='sample', pipeline=[])
    return DATASETS.build(dataset_cfg)


def predict_by_hand(model, image):
    """Class predicted by ``model`` for one RGB uint8 image: the configs'
    normalisation and the label path, written out here."""
    x = torch.from_numpy(image.astype(np.float32)).permute(2, 0, 1)[None]
    mean = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1) * 255
    std = torch.tensor([0.2023, 0.1994, 0.2010]).view(1, 3, 1, 1) * 255
    with torch.no_grad():
        logits = model.head.fc(model.backbone((x - mean) / std)[-1])
    return int(logits.argmax())


@pytest.fixture(scope='module')
def checkpoints(tmp_path_factory):
    folder = tmp_path_factory.mktemp('ckpts')
    baseline = build_model('baseline_cmnist.py', seed=1)
    lntl = build_model('lnl_cmnist.py', seed=2)
    return dict(
        baseline=(baseline, save_checkpoint(baseline, folder / 'b.pth')),
        lntl=(lntl, save_checkpoint(lntl, folder / 'l.pth')))


def test_grid_and_predictions(tmp_path, checkpoints):
    out, report_path = tmp_path / 'swap.png', tmp_path / 'swap.json'
    report = colour_swap.main([
        osp.join(REPO, 'configs/baseline_cmnist.py'),
        checkpoints['baseline'][1],
        osp.join(REPO, 'configs/lnl_cmnist.py'), checkpoints['lntl'][1],
        '--out', str(out), '--json', str(report_path), '--num-digits', '3',
        '--cfg-options', *SAMPLE])
    assert json.loads(report_path.read_text()) == json.loads(
        json.dumps(report))
    assert report['source'] == 'sample'

    # digits: the first test digit of classes 0, 4 and 9
    test_set = sample_split('test')
    labels = [int(test_set.get_data_info(i)['gt_label'])
              for i in range(len(test_set))]
    assert report['labels'] == [0, 4, 9]
    assert report['test_indices'] == [labels.index(c) for c in (0, 4, 9)]

    # colours: the mean colour of each class's training digits
    train_set = sample_split('train')
    infos = [train_set.get_data_info(i) for i in range(len(train_set))]
    expected = [np.mean([i['color'] for i in infos if i['gt_label'] == c],
                        axis=0) for c in range(10)]
    np.testing.assert_allclose(report['colours'], expected, atol=1e-6)

    # predictions: each digit's stroke in each colour, classified by hand
    for key in ('baseline', 'lntl'):
        model = checkpoints[key][0]
        preds = np.array(report[key])
        assert preds.shape == (3, 10)
        for row, index in enumerate(report['test_indices']):
            digit = test_set.get_data_info(index)['img']
            stroke = digit.max(axis=-1) > 0
            for col, colour in enumerate(report['colours']):
                painted = stroke[..., None] * np.rint(
                    np.asarray(colour) * 255).astype(np.uint8)
                assert preds[row, col] == predict_by_hand(model, painted), \
                    (key, row, col)
        summary = report['summary'][key]
        assert summary['total'] == 30
        assert summary['shape'] == int(
            (preds == np.array(report['labels'])[:, None]).sum())
        assert summary['colour'] == int((preds == np.arange(10)).sum())
    # two different untrained models do not predict alike everywhere
    assert report['baseline'] != report['lntl']

    # the figure: a PNG of 3 rows of 10 images, not blank
    image = mpimg.imread(str(out))
    height, width = image.shape[:2]
    assert width > 1.5 * height > 0
    assert image[..., :3].std() > 0.05


def test_indices_and_errors(tmp_path, checkpoints):
    report = colour_swap.main([
        osp.join(REPO, 'configs/baseline_cmnist.py'),
        checkpoints['baseline'][1],
        osp.join(REPO, 'configs/lnl_cmnist.py'), checkpoints['lntl'][1],
        '--out', str(tmp_path / 'two.png'), '--indices', '7', '500',
        '--cfg-options', *SAMPLE])
    assert report['test_indices'] == [7, 500]
    assert osp.getsize(tmp_path / 'two.png') > 0
    with pytest.raises(colour_swap.ConfigError, match='outside'):
        colour_swap.main([
            osp.join(REPO, 'configs/baseline_cmnist.py'),
            checkpoints['baseline'][1],
            osp.join(REPO, 'configs/lnl_cmnist.py'), checkpoints['lntl'][1],
            '--out', str(tmp_path / 'x.png'), '--indices', '100000',
            '--cfg-options', *SAMPLE])
    assert not (tmp_path / 'x.png').exists()
