"""Save a PNG grid of Colored MNIST samples per class, for each split.

One panel per split, one row per digit class: in the training split every
row shows its class colour, in the test split the colours are unrelated to
the digits. This is the bias the models are trained against.

Example::

    python tools/visualization/browse_dataset.py \\
        configs/_base_/datasets/colored_mnist.py --output colored_mnist.png
"""
import argparse
import os
import os.path as osp

import numpy as np
from mmengine.config import Config, DictAction
from mmengine.utils import import_modules_from_strings


def parse_args():
    parser = argparse.ArgumentParser(
        description='Save a PNG grid of dataset samples per class.')
    parser.add_argument('config', help='config file path')
    parser.add_argument('--output', default='colored_mnist_samples.png',
                        help='PNG file to write')
    parser.add_argument('--splits', nargs='+', default=['train', 'test'],
                        choices=['train', 'val', 'test'],
                        help='splits to show, one panel each')
    parser.add_argument('--num-per-class', type=int, default=8,
                        help='samples shown per class and split')
    parser.add_argument('--scale', type=float, default=1.0,
                        help='figure size multiplier')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, as in tools/train.py')
    return parser.parse_args()


def build_dataset(cfg, split):
    """Build the ``{split}_dataloader`` dataset without its pipeline."""
    from mmpretrain.registry import DATASETS
    dataset_cfg = cfg[f'{split}_dataloader']['dataset'].copy()
    dataset_cfg['pipeline'] = []
    return DATASETS.build(dataset_cfg)


def class_grid(dataset, num_per_class, pad=2):
    """Tile the first ``num_per_class`` images of every class.

    Returns:
        tuple: grid image (H x W x 3 uint8), fraction of bias-aligned
        samples, row height and padding in pixels.
    """
    classes = dataset.metainfo['classes']
    labels = dataset.get_gt_labels()
    first = dataset.get_data_info(0)['img']
    height, width = first.shape[:2]
    cell_h, cell_w = height + pad, width + pad
    grid = np.full((len(classes) * cell_h + pad,
                    num_per_class * cell_w + pad, 3), 255, dtype=np.uint8)
    for row in range(len(classes)):
        for col, idx in enumerate(np.flatnonzero(labels == row)
                                  [:num_per_class]):
            top, left = pad + row * cell_h, pad + col * cell_w
            grid[top:top + height, left:left + width] = \
                dataset.get_data_info(int(idx))['img']
    aligned = float(np.mean(labels == dataset.get_bias_labels()))
    return grid, aligned, cell_h, pad


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if cfg.get('custom_imports'):
        import_modules_from_strings(**cfg['custom_imports'])
    import lnl_mm  # noqa: F401  (registers ColoredMNIST)

    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        1, len(args.splits), squeeze=False,
        figsize=(args.scale * (1.2 + 0.5 * args.num_per_class) *
                 len(args.splits), args.scale * 6))
    for ax, split in zip(axes[0], args.splits):
        dataset = build_dataset(cfg, split)
        grid, aligned, cell_h, pad = class_grid(dataset, args.num_per_class)
        ax.imshow(grid, interpolation='nearest')
        meta = dataset.metainfo
        ax.set_title(f'{split}: {len(dataset)} digits, '
                     f'{aligned:.0%} bias-aligned\n'
                     f'source={meta["source"]}, '
                     f'color_var={meta["color_var"]}', fontsize=9)
        classes = meta['classes']
        ax.set_yticks([pad + cell_h * (i + 0.5) for i in range(len(classes))])
        ax.set_yticklabels(classes)
        ax.set_xticks([])
        ax.set_ylabel('digit class')
    fig.tight_layout()
    out_dir = osp.dirname(osp.abspath(args.output))
    os.makedirs(out_dir, exist_ok=True)
    fig.savefig(args.output, dpi=150)
    plt.close(fig)
    print(f'Saved {args.output}')


if __name__ == '__main__':
    main()
