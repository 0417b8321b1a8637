"""Paint the same test digits in each of the ten training colours and draw
what the baseline and LNTL predict for each.

Usage::

    python tools/visualization/colour_swap.py \\
        BASELINE_CONFIG BASELINE_CHECKPOINT LNTL_CONFIG LNTL_CHECKPOINT \\
        [--out colour_swap.png] [--json predictions.json] \\
        [--num-digits 5 | --indices I ...] [--cfg-options k=v ...]

In the training split of Colored MNIST every digit class has its own colour,
so a network that learnt the colour predicts the class whose colour a digit
wears, whatever its shape. The tool takes real test digits (the test split
of ``ColoredMNIST`` as the LNTL config builds it: full MNIST, or the
embedded sample offline), keeps each digit's stroke and paints it in each
class's mean training colour (the mean of the training split's digit
colours per class, painted as ``lnl_mm.datasets.colorize`` paints them),
and runs both models on the ten versions. The grid has one row per digit
and one column per colour; under each image, B is the baseline's predicted
class and L is LNTL's, green where it is the digit's label. A model that
follows the colour predicts the column's class along a row; one that
follows the shape predicts the row's label in every column.

By default the digits are the first test digit of ``--num-digits`` classes
spread over 0-9; ``--indices`` picks test digits by index. ``--cfg-options``
applies to both configs (e.g. ``test_dataloader.dataset.source=sample
train_dataloader.dataset.source=sample``). The counts of predictions that
equal the label (shape) or the colour's class (colour) are printed and
written, with every prediction, to ``--json``.
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence

import numpy as np

import lnl_mm  # noqa: F401  registers lnl_mm's components
from lnl_mm.apis import inference_model, init_model, load_config
from lnl_mm.datasets.colorize import colorize_digits
from lnl_mm.utils import ConfigError, atomic_file, run_cli

NUM_CLASSES = 10


def build_split(cfg, split: str):
    """The dataset of ``<split>_dataloader`` of ``cfg``, without its
    pipeline (its data infos hold the raw RGB image)."""
    from mmpretrain.registry import DATASETS
    dataset_cfg = cfg.get(f'{split}_dataloader', {}).get('dataset')
    if dataset_cfg is None:
        raise ConfigError(f'The config has no {split}_dataloader.dataset.')
    dataset_cfg = dataset_cfg.copy()
    dataset_cfg['pipeline'] = []
    dataset = DATASETS.build(dataset_cfg)
    dataset.full_init()
    return dataset


def stroke_masks(images: np.ndarray) -> np.ndarray:
    """Where each RGB digit's stroke is: any channel above 0 (Colored MNIST
    paints the stroke on black). (N, H, W, 3) uint8 -> (N, H, W) bool."""
    return images.max(axis=-1) > 0


def class_mean_colours(dataset) -> np.ndarray:
    """Mean digit colour in [0, 1] of each class of a training split, (10,
    3): the mean of the ``color`` field of its digits, or, for data without
    that field, of the mean stroke colour of its images."""
    sums = np.zeros((NUM_CLASSES, 3))
    counts = np.zeros(NUM_CLASSES)
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        if 'color' in info:
            colour = np.asarray(info['color'], dtype=np.float64)
        else:
            image = np.asarray(info['img'])
            stroke = stroke_masks(image[None])[0]
            colour = image[stroke].mean(axis=0) / 255.0
        label = int(info['gt_label'])
        sums[label] += colour
        counts[label] += 1
    if (counts == 0).any():
        raise ConfigError('The training split has no digit of class(es) '
                          f'{np.flatnonzero(counts == 0).tolist()}.')
    return sums / counts[:, None]


def paint(images: np.ndarray, colours: np.ndarray) -> np.ndarray:
    """Every digit's stroke in every colour: (N, H, W, 3) uint8 and (C, 3)
    colours in [0, 1] -> (N, C, H, W, 3) uint8, a flat fill on black as
    ColoredMNIST paints it."""
    strokes = stroke_masks(images).astype(np.uint8) * 255
    out = np.empty((len(images), len(colours)) + images.shape[1:], np.uint8)
    for j, colour in enumerate(colours):
        out[:, j] = colorize_digits(
            strokes, np.repeat(colour[None], len(images), axis=0),
            stroke_threshold=128)
    return out


def pick_digits(dataset, num_digits: int,
                indices: Optional[Sequence[int]] = None) -> List[int]:
    """Test indices: ``indices``, or the first digit of ``num_digits``
    classes spread evenly over 0-9."""
    if indices:
        bad = [i for i in indices if not 0 <= i < len(dataset)]
        if bad:
            raise ConfigError(f'--indices {bad} are outside the test split '
                              f'(0..{len(dataset) - 1}).')
        return list(indices)
    if not 1 <= num_digits <= NUM_CLASSES:
        raise ConfigError(f'--num-digits must be 1..{NUM_CLASSES}, got '
                          f'{num_digits}.')
    wanted = [int(c) for c in
              np.round(np.linspace(0, NUM_CLASSES - 1, num_digits))]
    first = {}
    for index in range(len(dataset)):
        label = int(dataset.get_data_info(index)['gt_label'])
        if label in wanted and label not in first and \
                stroke_masks(dataset.get_data_info(index)['img'][None]).any():
            first[label] = index
        if len(first) == len(wanted):
            break
    return [first[c] for c in wanted if c in first]


def agreement(predictions: np.ndarray, labels: Sequence[int]) -> Dict:
    """How many predictions equal the digit's label (shape) and how many the
    class whose colour it wears (colour); predictions are (N, 10)."""
    labels = np.asarray(labels)[:, None]
    colour_class = np.arange(predictions.shape[1])[None, :]
    return dict(
        total=int(predictions.size),
        shape=int((predictions == labels).sum()),
        colour=int((predictions == colour_class).sum()))


def draw(path: str, images: np.ndarray, labels: Sequence[int],
         colours: np.ndarray, predictions: Dict[str, np.ndarray],
         summary: Dict[str, Dict]) -> None:
    """The grid: rows digits, columns colours, B/L predictions under each."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    rows, cols = images.shape[:2]
    fig, axes = plt.subplots(
        rows, cols, figsize=(cols * 0.95 + 0.9, rows * 1.3 + 1.3),
        squeeze=False)
    for i in range(rows):
        for j in range(cols):
            ax = axes[i, j]
            ax.imshow(images[i, j], interpolation='nearest')
            ax.set_xticks([])
            ax.set_yticks([])
            for side in ax.spines.values():
                side.set_visible(False)
            for k, (tag, key) in enumerate((('B', 'baseline'),
                                            ('L', 'lntl'))):
                pred = int(predictions[key][i, j])
                ax.text(0.5, -0.14 - 0.2 * k,
                        f'{tag} {pred}', transform=ax.transAxes,
                        ha='center', va='top', fontsize=9,
                        color='tab:green' if pred == labels[i] else
                        'tab:red', fontweight='bold')
            if i == 0:
                ax.set_title(f'colour of {j}', fontsize=8,
                             color=tuple(np.clip(colours[j] * 0.85, 0, 1)))
        axes[i, 0].set_ylabel(f'label {labels[i]}', fontsize=10, rotation=0,
                              ha='right', va='center')
    base, lntl = summary['baseline'], summary['lntl']
    fig.suptitle(
        'The same test digits in each training colour: predicted class of '
        'the baseline (B) and LNTL (L); green = the digit\'s label\n'
        f'baseline: {base["colour"]}/{base["total"]} follow the colour, '
        f'{base["shape"]}/{base["total"]} the shape;   LNTL: '
        f'{lntl["colour"]}/{lntl["total"]} follow the colour, '
        f'{lntl["shape"]}/{lntl["total"]} the shape',
        fontsize=9)
    height = fig.get_figheight()
    fig.subplots_adjust(left=0.07, right=0.99, top=1 - 0.75 / height,
                        bottom=0.45 / height, wspace=0.08, hspace=0.75)
    with atomic_file(path) as temp:
        fig.savefig(temp, dpi=110, format='png')
    plt.close(fig)


def parse_args(argv=None):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(
        description='The same test digits in each training colour, with the '
        'baseline\'s and LNTL\'s predictions (lnl_mm)')
    parser.add_argument('baseline_config')
    parser.add_argument('baseline_checkpoint')
    parser.add_argument('lntl_config')
    parser.add_argument('lntl_checkpoint')
    parser.add_argument('--out', default='colour_swap.png',
                        help='PNG to write (default: colour_swap.png)')
    parser.add_argument('--json', help='also write the predictions here')
    parser.add_argument('--num-digits', type=int, default=5,
                        help='digits (rows), one per class (default 5)')
    parser.add_argument('--indices', type=int, nargs='+',
                        help='test-split indices of the digits instead')
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of both configs, e.g. '
        'test_dataloader.dataset.source=sample '
        'train_dataloader.dataset.source=sample')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> Dict:
    args = parse_args(argv)
    lntl_cfg = load_config(args.lntl_config, args.cfg_options)
    test_set = build_split(lntl_cfg, 'test')
    colours = class_mean_colours(build_split(lntl_cfg, 'train'))
    indices = pick_digits(test_set, args.num_digits, args.indices)
    infos = [test_set.get_data_info(i) for i in indices]
    labels = [int(info['gt_label']) for info in infos]
    images = paint(np.stack([np.asarray(info['img']) for info in infos]),
                   colours)
    flat = list(images.reshape((-1, ) + images.shape[2:]))
    predictions, summary = {}, {}
    for key, config, checkpoint in (
            ('baseline', args.baseline_config, args.baseline_checkpoint),
            ('lntl', args.lntl_config, args.lntl_checkpoint)):
        model = init_model(config, checkpoint, args.device, args.cfg_options)
        results = inference_model(model, flat)
        predictions[key] = np.array(
            [r['pred_label'] for r in results]).reshape(images.shape[:2])
        summary[key] = agreement(predictions[key], labels)
    draw(args.out, images, labels, colours, predictions, summary)
    report = dict(
        test_indices=indices, labels=labels,
        colours=np.round(colours, 6).tolist(),
        baseline=predictions['baseline'].tolist(),
        lntl=predictions['lntl'].tolist(), summary=summary,
        source=test_set.metainfo.get('source'), image=osp.relpath(args.out))
    if args.json:
        os.makedirs(osp.dirname(osp.abspath(args.json)), exist_ok=True)
        with atomic_file(args.json) as temp, open(temp, 'w') as f:
            json.dump(report, f, indent=1)
    for key, name in (('baseline', 'baseline'), ('lntl', 'LNTL')):
        s = summary[key]
        print(f'{name}: {s["colour"]}/{s["total"]} predictions follow the '
              f'colour, {s["shape"]}/{s["total"]} the shape')
    print(f'test digits {indices} (labels {labels}); figure: {args.out}')
    return report


if __name__ == '__main__':
    sys.exit(run_cli(main))
