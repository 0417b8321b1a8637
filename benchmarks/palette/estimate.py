"""Estimate the paper's palette from measured digit colours and compare how
strong a shortcut each palette makes.

    python benchmarks/palette/estimate.py benchmarks/palette/samples.csv

Prints (markdown) the estimated mean colour of every class (the mean of its
samples, the values of ``lnl_mm.datasets.PAPER_ESTIMATE_PALETTE``), then,
for the default and the estimated palette at each colour variance, how
well a digit's class can be told from its colour alone and from its grey
level alone (what Gray's images keep of the colour). Both are the accuracy
of the Bayes classifier of a histogram fitted on one draw of training
colours (colours quantised to 16 levels per channel; grey levels 0..255,
BT.601 weights as ``ToGrayscale``) and scored on a second draw, as the
dataset draws them (``sample_colors``, flat strokes); chance is 10 %.
"""
import argparse
import csv

import numpy as np

from lnl_mm.datasets import DEFAULT_PALETTE, check_palette, sample_colors

COLOR_VARS = (0.020, 0.025, 0.030, 0.035, 0.040, 0.045, 0.050)
#: ToGrayscale's weights (ITU-R BT.601).
GREY_WEIGHTS = np.array([0.299, 0.587, 0.114])
#: Levels per channel of the colour histogram.
COLOUR_LEVELS = 16


def read_samples(path: str):
    """(labels, colours 0..255) of the rows of samples.csv."""
    with open(path, newline='') as f:
        rows = list(csv.DictReader(f))
    labels = np.array([int(r['label']) for r in rows])
    colours = np.array([[float(r[c]) for c in 'rgb'] for r in rows])
    return labels, colours


def estimate_palette(labels: np.ndarray, colours: np.ndarray) -> np.ndarray:
    """Each class's mean colour in [0, 1], rounded to 3 decimals."""
    missing = sorted(set(range(10)) - set(labels.tolist()))
    if missing:
        raise ValueError(f'no sample of class(es) {missing}')
    means = np.stack([colours[labels == k].mean(0) for k in range(10)])
    return np.round(means / 255.0, 3)


def histogram_accuracy(train_keys, train_labels, test_keys, test_labels,
                       num_keys: int) -> float:
    """Accuracy on the test draw of the majority class of each key."""
    counts = np.zeros((num_keys, 10))
    np.add.at(counts, (train_keys, train_labels), 1)
    return float((counts.argmax(1)[test_keys] == test_labels).mean())


def shortcut_strength(palette, color_var: float, num: int = 55000,
                      seed: int = 0):
    """(colour -> class, grey level -> class) accuracy, in [0, 1]."""
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(2):
        labels = rng.integers(0, 10, num)
        colours = np.rint(
            sample_colors(rng, labels, palette, color_var) * 255)
        draws.append((labels, colours))
    (y_fit, c_fit), (y_test, c_test) = draws
    step = 256 // COLOUR_LEVELS
    code = np.array([COLOUR_LEVELS**2, COLOUR_LEVELS, 1])

    def colour_key(c):
        return (c // step).astype(int) @ code

    def grey_key(c):
        return np.rint(c @ GREY_WEIGHTS).astype(int)

    by_colour = histogram_accuracy(colour_key(c_fit), y_fit,
                                   colour_key(c_test), y_test,
                                   COLOUR_LEVELS**3)
    by_grey = histogram_accuracy(grey_key(c_fit), y_fit, grey_key(c_test),
                                 y_test, 256)
    return by_colour, by_grey


def nearest_distance(palette) -> float:
    """The smallest distance between two of the palette's colours."""
    dist = np.linalg.norm(palette[:, None] - palette[None], axis=-1)
    return float(dist[~np.eye(len(palette), dtype=bool)].min())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('samples', help='benchmarks/palette/samples.csv')
    args = parser.parse_args()
    labels, colours = read_samples(args.samples)
    estimate = estimate_palette(labels, colours)
    print('| class | samples | estimated mean colour (RGB) | spread (sd) |')
    print('|---|---|---|---|')
    for k in range(10):
        sd = colours[labels == k].std(0, ddof=1) / 255
        print(f'| {k} | {(labels == k).sum()} | '
              f'{", ".join(f"{v:.3f}" for v in estimate[k])} | '
              f'{", ".join(f"{v:.2f}" for v in sd)} |')
    print()
    palettes = (('default', check_palette(DEFAULT_PALETTE)),
                ('paper_estimate', estimate))
    print('| palette | nearest colours | shortcut | ' +
          ' | '.join(f'{v:.3f}' for v in COLOR_VARS) + ' |')
    print('|---|---|---|' + '---|' * len(COLOR_VARS))
    for name, palette in palettes:
        strengths = [shortcut_strength(palette, v) for v in COLOR_VARS]
        for i, what in enumerate(('colour -> class', 'grey -> class')):
            print(f'| `{name}` | {nearest_distance(palette):.3f} | {what} | ' +
                  ' | '.join(f'{100 * s[i]:.1f}' for s in strengths) + ' |')


if __name__ == '__main__':
    main()
