"""demo/image_demo.py IMAGE CONFIG CHECKPOINT: the class and score of one
RGB digit image."""
import importlib.util
import os
import os.path as osp
import re
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch

from fresh_checkpoints import REPO, build_model, save_checkpoint


def load_demo():
    spec = importlib.util.spec_from_file_location(
        'lnl_image_demo', osp.join(REPO, 'demo', 'image_demo.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def digit_png(tmp_path_factory):
    """A 40x40 coloured '7'-like stroke on black, saved as PNG; returns
    (path, the RGB array)."""
    rgb = np.zeros((40, 40, 3), np.uint8)
    rgb[6:10, 8:32] = (230, 120, 10)
    for row in range(10, 34):
        col = 30 - (row - 10) // 2
        rgb[row, col - 2:col + 2] = (230, 120, 10)
    path = str(tmp_path_factory.mktemp('img') / 'seven.png')
    cv2.imwrite(path, rgb[..., ::-1])   # cv2 writes BGR
    return path, rgb


@pytest.fixture(scope='module')
def baseline_ckpt(tmp_path_factory):
    model = build_model('baseline_cmnist.py', seed=3)
    path = save_checkpoint(model, tmp_path_factory.mktemp('ckpt') / 'b.pth')
    return path, model


def expected_scores(model, rgb, gray=False):
    """The model's softmax on the image resized to 28x28 and normalised with
    the configs' mean/std, computed here without the demo's code."""
    image = cv2.resize(rgb, (28, 28), interpolation=cv2.INTER_AREA)
    if gray:
        luma = np.rint(image.astype(np.float64) @ [0.299, 0.587, 0.114])
        image = np.repeat(np.clip(luma, 0, 255)[..., None], 3, axis=2)
    x = torch.from_numpy(image.astype(np.float32)).permute(2, 0, 1)[None]
    mean = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1) * 255
    std = torch.tensor([0.2023, 0.1994, 0.2010]).view(1, 3, 1, 1) * 255
    with torch.no_grad():
        feats = model.backbone((x - mean) / std)
        logits = model.head.fc(feats[-1])
    return torch.softmax(logits, dim=1)[0].numpy()


def test_cli_prints_class_and_score(digit_png, baseline_ckpt):
    path, rgb = digit_png
    ckpt, model = baseline_ckpt
    result = subprocess.run(
        [sys.executable, 'demo/image_demo.py', path,
         'configs/baseline_cmnist.py', ckpt, '--all-scores'],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, PYTHONPATH=REPO))
    assert result.returncode == 0, result.stderr
    match = re.search(r'class (\d), score (0\.\d{4})', result.stdout)
    assert match, result.stdout
    scores = expected_scores(model, rgb)
    assert int(match.group(1)) == int(scores.argmax())
    assert float(match.group(2)) == pytest.approx(scores.max(), abs=1e-4)
    listed = [float(s) for s in
              re.findall(r'class \d: (\d\.\d{4})', result.stdout)]
    np.testing.assert_allclose(listed, scores, atol=1e-4)
    assert 'MultiScaleDeformableAttention' not in result.stderr


def test_uses_the_config_pipeline_and_lntl_models(digit_png, baseline_ckpt,
                                                  tmp_path):
    demo = load_demo()
    path, rgb = digit_png
    ckpt, model = baseline_ckpt
    # Gray's test pipeline converts the image to grey first
    gray = demo.main([path, osp.join(REPO, 'configs/gray_cmnist.py'), ckpt])
    scores = expected_scores(model, rgb, gray=True)
    assert gray['pred_label'] == int(scores.argmax())
    np.testing.assert_allclose(gray['pred_scores'], scores, atol=1e-5)
    assert not np.allclose(scores, expected_scores(model, rgb))
    # an LNTL checkpoint under its config: the label path g(f(x))
    lntl = build_model('lnl_cmnist.py', seed=5)
    lntl_ckpt = save_checkpoint(lntl, tmp_path / 'lntl.pth')
    out = demo.main([path, osp.join(REPO, 'configs/lnl_cmnist.py'),
                     lntl_ckpt])
    np.testing.assert_allclose(out['pred_scores'],
                               expected_scores(lntl, rgb), atol=1e-5)


def test_errors_are_one_line(tmp_path, baseline_ckpt):
    ckpt, _ = baseline_ckpt
    not_image = tmp_path / 'notes.png'
    not_image.write_text('not an image')
    result = subprocess.run(
        [sys.executable, 'demo/image_demo.py', str(not_image),
         'configs/baseline_cmnist.py', ckpt],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, PYTHONPATH=REPO))
    assert result.returncode == 1
    assert result.stderr.strip().startswith('ERROR:')
    assert 'notes.png' in result.stderr
