"""Write Colored MNIST splits as PNG files plus annotation files, the layout
``BiasedImageDataset`` reads (docs/custom_data.md).

For each split the ColoredMNIST dataset of the config's
``<split>_dataloader`` is built (its pipeline dropped, ``--dataset-options``
applied to every split) and written as::

    OUT_DIR/images/<split>/<index>.png   the RGB image, losslessly
    OUT_DIR/meta/<split>.txt             "<image> <digit> <colour class>"
                                         per line (images/<split>/<index>.png)
    OUT_DIR/meta/classes.txt, meta/bias_classes.txt
    OUT_DIR/meta/export.json             what was exported (dataset settings)

in dataset order, so the generic path (``BiasedImageDataset`` on OUT_DIR)
sees the same images, labels and bias labels as the native one and can be
checked against it. Example, the embedded 5,000-digit sample with the
shipped configs' protocol (validation coloured like test)::

    python tools/dataset_converters/export_colored_mnist.py data/cmnist_png \\
        --dataset-options source=sample
"""
import argparse
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
from mmengine.config import Config, DictAction

from lnl_mm.utils.atomic_files import atomic_file

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEFAULT_CONFIG = osp.join(REPO, 'configs', '_base_', 'datasets',
                          'colored_mnist.py')
SPLITS = ('train', 'val', 'test')
#: The written settings of each split (everything else is in the config).
RECORDED = ('source', 'color_var', 'data_seed', 'val_protocol',
            'conflict_ratio', 'split_sizes', 'palette')


def parse_args(argv: Optional[Sequence[str]] = None):
    parser = argparse.ArgumentParser(
        description='Export Colored MNIST splits as PNG files and '
        '"path label bias_label" annotation files.')
    parser.add_argument('out_dir', help='folder to write (data_root of the '
                        'BiasedImageDataset configs)')
    parser.add_argument(
        '--config', default=DEFAULT_CONFIG,
        help='config whose <split>_dataloader.dataset are exported '
        '(default: configs/_base_/datasets/colored_mnist.py)')
    parser.add_argument('--splits', nargs='+', default=list(SPLITS),
                        choices=SPLITS, help='splits to export')
    parser.add_argument(
        '--dataset-options', nargs='+', action=DictAction, default={},
        help='ColoredMNIST arguments for every split, e.g. source=sample '
        'color_var=0.03 data_seed=1')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace an earlier export in out_dir')
    return parser.parse_args(argv)


def build_split(cfg: Config, split: str, options: Dict):
    """The config's ColoredMNIST of ``split``, without pipeline."""
    import lnl_mm  # noqa: F401  registers ColoredMNIST
    from mmpretrain.registry import DATASETS
    loader = cfg.get(f'{split}_dataloader')
    if not loader or 'dataset' not in loader:
        raise ValueError(f'{cfg.filename} has no {split}_dataloader.dataset '
                         'to export.')
    dataset_cfg = dict(loader['dataset'], **options, pipeline=[])
    if dataset_cfg.get('type') != 'ColoredMNIST':
        raise ValueError(
            f'{split}_dataloader.dataset of {cfg.filename} is '
            f'{dataset_cfg.get("type")!r}; this tool exports ColoredMNIST.')
    return DATASETS.build(dataset_cfg)


def write_split(dataset, split: str, out_dir: str) -> List[str]:
    """Write the PNGs of one split; return its annotation lines."""
    image_dir = osp.join(out_dir, 'images', split)
    os.makedirs(image_dir, exist_ok=True)
    width = max(5, len(str(len(dataset) - 1)))
    lines = []
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        path = f'images/{split}/{index:0{width}d}.png'
        # cv2 writes BGR: reversing the channels stores the RGB image
        if not cv2.imwrite(osp.join(out_dir, path),
                           np.ascontiguousarray(info['img'][..., ::-1])):
            raise OSError(f'Could not write {osp.join(out_dir, path)}.')
        lines.append(f'{path} {info["gt_label"]} {info["bias_label"]}\n')
    return lines


def write_text(path: str, lines: Sequence[str]) -> None:
    """Write atomically: a reader never sees half a file."""
    with atomic_file(path) as temp, open(temp, 'w') as f:
        f.writelines(lines)


def export(out_dir: str, cfg: Config, splits: Sequence[str],
           options: Dict, overwrite: bool = False) -> Dict[str, int]:
    """Export ``splits``; return the number of images per split."""
    meta_dir = osp.join(out_dir, 'meta')
    existing = [s for s in splits
                if osp.exists(osp.join(meta_dir, f'{s}.txt'))]
    if existing and not overwrite:
        raise FileExistsError(
            f'{out_dir} already holds an export of {existing} '
            f'(meta/{existing[0]}.txt); pass --overwrite to replace it or '
            'choose another folder.')
    # build every split first: a bad config or option writes nothing
    datasets = {split: build_split(cfg, split, options) for split in splits}
    os.makedirs(meta_dir, exist_ok=True)
    counts, settings = {}, {}
    for split, dataset in datasets.items():
        lines = write_split(dataset, split, out_dir)
        write_text(osp.join(meta_dir, f'{split}.txt'), lines)
        counts[split] = len(lines)
        meta = dataset.metainfo
        settings[split] = {k: meta[k] for k in RECORDED if k in meta}
        print(f'{split}: {len(lines)} images -> {out_dir}/images/{split}, '
              f'meta/{split}.txt')
    classes = list(meta['classes'])
    write_text(osp.join(meta_dir, 'classes.txt'),
               [f'{c}\n' for c in classes])
    # bias label k = the k-th mean colour, painted on digits of class k in
    # training
    write_text(osp.join(meta_dir, 'bias_classes.txt'),
               [f'colour_of_{c}\n' for c in classes])
    write_text(
        osp.join(meta_dir, 'export.json'),
        [json.dumps(dict(config=cfg.filename, options=options,
                         splits=settings), indent=2, default=str) + '\n'])
    return counts


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, int]:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    return export(args.out_dir, cfg, args.splits, dict(args.dataset_options),
                  args.overwrite)


if __name__ == '__main__':
    main()
