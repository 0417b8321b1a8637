"""Colour helpers: palette/variance checks, colourisation, colour target."""
import math

import numpy as np
import pytest
import torch

from lnl_mm.datasets import (DEFAULT_PALETTE, PAPER_ESTIMATE_PALETTE,
                             check_color_var, check_palette,
                             colorize_digits, estimate_stroke_colors,
                             pixel_color_target, sample_colors)


def hand_example():
    """A 28x28 image with a few known pixels and its expected target."""
    img = np.zeros((28, 28, 3), dtype=np.uint8)
    img[1, 1] = (0, 31, 32)  # 0 -> ignore, 31 -> bin 0, 32 -> bin 1
    img[1, 3] = (255, 64, 1)  # bins 7, 2, 0 (1 is not background)
    img[27, 27] = (100, 0, 224)  # bins 3, ignore, 7
    img[0, 0] = img[2, 2] = (200, 200, 200)  # even rows/cols: not sampled
    expected = np.full((3, 14, 14), 255, dtype=np.uint8)
    expected[:, 0, 0] = (255, 0, 1)
    expected[:, 0, 1] = (7, 2, 0)
    expected[:, 13, 13] = (3, 255, 7)
    return img, expected


def test_pixel_color_target_hand_example_numpy():
    img, expected = hand_example()
    target = pixel_color_target(img[None])
    assert target.dtype == np.uint8 and target.shape == (1, 3, 14, 14)
    np.testing.assert_array_equal(target[0], expected)
    # a single HWC image works too
    np.testing.assert_array_equal(pixel_color_target(img), expected)


def test_pixel_color_target_torch_and_channels_first():
    img, expected = hand_example()
    batch = torch.from_numpy(np.stack([img, img]))
    target = pixel_color_target(batch)
    assert isinstance(target, torch.Tensor) and target.dtype == torch.uint8
    assert target.shape == (2, 3, 14, 14)
    np.testing.assert_array_equal(target[1].numpy(), expected)
    nchw = batch.permute(0, 3, 1, 2).contiguous()
    np.testing.assert_array_equal(
        pixel_color_target(nchw, channels_last=False).numpy(),
        target.numpy())


def test_pixel_color_target_bins_and_errors():
    img, _ = hand_example()
    four = pixel_color_target(img[None], num_bins=4)  # value // 64
    assert tuple(four[0, :, 0, 1]) == (3, 1, 0)
    with pytest.raises(ValueError, match='power of two'):
        pixel_color_target(img[None], num_bins=10)
    with pytest.raises(ValueError, match='ignore_index'):
        pixel_color_target(img[None], ignore_index=3)
    with pytest.raises(TypeError, match='uint8'):
        pixel_color_target(img[None].astype(np.float32))


def nearest_distance(palette):
    """The smallest distance between two of the palette's colours."""
    dist = np.linalg.norm(palette[:, None] - palette[None], axis=-1)
    return dist[~np.eye(len(palette), dtype=bool)].min()


def test_default_palette_is_valid_and_separated():
    palette = check_palette(None)
    assert palette.shape == (10, 3)
    np.testing.assert_array_equal(palette, np.array(DEFAULT_PALETTE))
    assert nearest_distance(palette) > 0.3


@pytest.mark.parametrize('palette, match', [
    ([[0.5, 0.5, 0.5]] * 9, r'shape \(9, 3\)'),
    ([[0.5, 0.5]] * 10, r'shape \(10, 2\)'),
    ([[255, 0, 0]] + [[0.5, 0.5, 0.5]] * 9, 'divide them by 255'),
    ([[-0.1, 0, 0]] + [[0.5, 0.5, 0.5]] * 9, r'\[0, 1\]'),
    ([[float('nan'), 0, 0]] + [[0.5, 0.5, 0.5]] * 9, r'\[0, 1\]'),
    ('red', 'not a known palette name'),
    ([['a', 'b', 'c']] * 10, 'not numeric'),
])
def test_bad_palette(palette, match):
    with pytest.raises(ValueError, match=match):
        check_palette(palette)


@pytest.mark.parametrize(
    'color_var', [0, -0.02, float('nan'), float('inf'), '0.02', None, True])
def test_bad_color_var(color_var):
    with pytest.raises(ValueError, match='color_var'):
        check_color_var(color_var)


def test_colorize_hard_and_soft():
    gray = np.array([[[0, 127, 128, 255]]], dtype=np.uint8)  # (1, 1, 4)
    colors = np.array([[1.0, 0.5, 0.0]])
    hard = colorize_digits(gray, colors, stroke_threshold=128)
    assert hard.dtype == np.uint8 and hard.shape == (1, 1, 4, 3)
    np.testing.assert_array_equal(
        hard[0, 0], [[0, 0, 0], [0, 0, 0], [255, 128, 0], [255, 128, 0]])
    soft = colorize_digits(gray, colors, soft=True)
    np.testing.assert_array_equal(
        soft[0, 0], [[0, 0, 0], [127, 64, 0], [128, 64, 0], [255, 128, 0]])


def test_sample_colors_statistics():
    rng = np.random.Generator(np.random.PCG64(0))
    palette = np.full((10, 3), 0.5)
    colors = sample_colors(rng, np.zeros(20000, dtype=np.int64), palette,
                           0.02)
    assert colors.min() >= 0 and colors.max() <= 1
    np.testing.assert_allclose(colors.mean(0), 0.5, atol=0.01)
    np.testing.assert_allclose(colors.var(0), 0.02, rtol=0.05)


def test_estimate_stroke_colors():
    gray = np.zeros((3, 28, 28), dtype=np.uint8)
    gray[:2, 5:20, 10:14] = 255
    colors = np.array([[0.2, 0.4, 0.6], [1.0, 0.0, 0.5], [0.3, 0.3, 0.3]])
    images = colorize_digits(gray, colors)
    estimated = estimate_stroke_colors(images, chunk_size=2)
    np.testing.assert_allclose(estimated[:2], colors[:2], atol=1 / 255)
    np.testing.assert_array_equal(estimated[2], 0)  # empty image
    assert not math.isnan(estimated.sum())


def test_named_palettes():
    np.testing.assert_array_equal(check_palette('default'),
                                  np.array(DEFAULT_PALETTE))
    estimate = check_palette('paper_estimate')
    np.testing.assert_array_equal(estimate, np.array(PAPER_ESTIMATE_PALETTE))
    # the estimate's nearest colours lie closer together than the default's
    assert nearest_distance(estimate) < nearest_distance(check_palette(None))
    with pytest.raises(ValueError, match="'default', 'paper_estimate'"):
        check_palette('paper')
