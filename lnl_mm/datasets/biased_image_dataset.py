"""Any image folder with class labels and a known bias attribute."""
import logging
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import mmengine
import numpy as np
from mmengine.fileio import get_file_backend, join_path
from mmengine.logging import print_log
from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS

from ..utils.errors import DataError, DataFileNotFoundError
from .bias_annotation import (AnnotationLine, ClassSpec, check_bias_alignment,
                              class_names_of, majority_bias, read_annotation,
                              tied_classes)
from .folders import check_data_root, describe_data_root, folder_contents

#: What the ``data_root`` of the shipped folder configs holds.
FOLDER_LAYOUT = ("the annotation files meta/train.txt, meta/val.txt and "
                 "meta/test.txt (one line 'relative/path.png <label> "
                 "<bias_label>' per image) and the images they list")


@DATASETS.register_module()
class BiasedImageDataset(BaseDataset):
    """Images listed in an annotation file with a class and a bias label (a
    site, a sensor, a colour, a background), in the manner of mmpretrain's
    ``CustomDataset`` (annotation-file mode). Each line of ``ann_file`` is::

        relative/path/to/image.png <label> <bias_label>

    with integer class and bias indices, separated by whitespace (paths may
    contain no spaces). Image paths are relative to ``data_prefix`` (itself
    relative to ``data_root``); the configs expect the annotation files as
    ``data_root/meta/{train,val,test}.txt``.

    Every sample carries ``img_path`` (the pipeline's ``LoadImageFromFile``
    turns it into ``img``), ``gt_label``, ``bias_label`` and
    ``bias_aligned``: whether its bias label is the aligned one of its class.
    The aligned bias label of a class is, unless ``bias_alignment`` gives
    it, the most frequent bias label of that class in the *training*
    annotation ``train_ann_file`` (ties go to the smallest bias label, with a
    warning). So a val or test dataset reads the training annotation too:
    "aligned" always means "like most training images of the class".

    ``metainfo`` holds ``classes``, ``bias_classes`` and ``bias_alignment``
    (per class, the aligned bias label, or None for a class without
    training images). Errors name the file, the line and the fix.

    Args:
        data_root (str): Root of ``ann_file``, ``data_prefix`` and
            ``train_ann_file`` when they are relative. Defaults to ''.
        ann_file (str): This split's annotation file, e.g.
            ``'meta/val.txt'``. Required.
        data_prefix (str | dict): Folder the image paths are relative to,
            under ``data_root``. Defaults to '' (``data_root`` itself).
        classes (int | Sequence[str] | str): The classes: their names, a
            text file with one name per line (as in mmpretrain), or their
            number (names '0', '1', ...). Required.
        bias_classes (int | Sequence[str] | str): The bias classes, given the
            same way. Required.
        train_ann_file (str, optional): The training annotation the aligned
            bias labels (and, for other splits, the set of bias labels seen
            in training) come from: ``'meta/train.txt'``. None needs
            ``bias_alignment`` and skips the unseen-bias check.
        bias_alignment (dict | Sequence[int], optional): The aligned bias
            label of each class, ``{label: bias_label}`` or a list indexed by
            label; overrides the training majority.
        allow_unseen_bias (bool): Accept val/test bias labels that never
            occur in the training annotation. Defaults to False.
        check_files (bool): Check at load time that every image exists.
        metainfo, **kwargs: As for :class:`mmpretrain.datasets.BaseDataset`
            (``pipeline``, starting with ``LoadImageFromFile``,
            ``test_mode``, ``lazy_init`` ...).
    """

    def __init__(self,
                 data_root: str = '',
                 ann_file: str = '',
                 data_prefix: Union[str, dict] = '',
                 classes: Optional[ClassSpec] = None,
                 bias_classes: Optional[ClassSpec] = None,
                 train_ann_file: Optional[str] = 'meta/train.txt',
                 bias_alignment: Union[Dict[int, int], Sequence[int],
                                       None] = None,
                 allow_unseen_bias: bool = False,
                 check_files: bool = True,
                 metainfo: Optional[dict] = None,
                 **kwargs):
        if not ann_file:
            raise ValueError(
                'BiasedImageDataset needs ann_file, the annotation file of '
                "this split (e.g. ann_file='meta/train.txt' under data_root)."
            )
        check_data_root(data_root, FOLDER_LAYOUT)
        self.ann_file_arg = ann_file
        class_names = class_names_of(classes, 'classes')
        bias_names = class_names_of(bias_classes, 'bias_classes')
        if train_ann_file is None and bias_alignment is None:
            raise ValueError(
                'BiasedImageDataset: train_ann_file=None needs an explicit '
                'bias_alignment ({label: aligned bias_label}); otherwise '
                'give the training annotation file to compute it from.')
        self.train_ann_file = train_ann_file
        self.bias_alignment = check_bias_alignment(
            bias_alignment, len(class_names), len(bias_names))
        self.allow_unseen_bias = bool(allow_unseen_bias)
        self.check_files = bool(check_files)
        meta = dict(bias_classes=tuple(bias_names))
        meta.update(metainfo or {})
        super().__init__(
            ann_file=ann_file,
            metainfo=meta,
            data_root=data_root,
            data_prefix=data_prefix,
            classes=list(class_names),
            **kwargs)

    @property
    def num_classes(self) -> int:
        return len(self.metainfo['classes'])

    @property
    def num_bias_classes(self) -> int:
        return len(self.metainfo['bias_classes'])

    def resolved_train_ann_file(self) -> Optional[str]:
        """``train_ann_file`` joined with ``data_root`` if relative."""
        path = self.train_ann_file
        if path and not osp.isabs(path) and self.data_root:
            path = join_path(self.data_root, path)
        return path

    def is_train_split(self) -> bool:
        """Whether ``ann_file`` is the training annotation itself."""
        train = self.resolved_train_ann_file()
        return bool(train) and osp.normpath(train) == osp.normpath(
            self.ann_file)

    def check_data_files(self) -> None:
        """Whether this split's annotation file and the training annotation
        exist and can be read (file-system checks only, nothing is read;
        the tools run it before writing anything). Remote paths pass.

        Raises:
            DataFileNotFoundError: A missing annotation file (or a folder in
                its place), with what data_root holds and the fix.
            DataError: An annotation file that cannot be read.
        """
        files = [('ann_file', self.ann_file_arg, self.ann_file)]
        if self.train_ann_file and not self.is_train_split():
            files.append(('train_ann_file', self.train_ann_file,
                          self.resolved_train_ann_file()))
        for arg, given, path in files:
            self._check_annotation_file(arg, given, path)

    def _check_annotation_file(self, arg: str, given: str,
                               path: str) -> None:
        if not path or '://' in path:
            return
        if osp.isfile(path):
            if not os.access(path, os.R_OK):
                raise DataError(
                    f'{arg}={given!r}: the annotation file {path!r} cannot '
                    'be read (permission denied). Make it readable (e.g. '
                    'chmod u+r).')
            return
        what = 'is a folder, not a file' if osp.isdir(path) else \
            'does not exist'
        where = [describe_data_root(self.data_root)] if self.data_root \
            else []
        parent = osp.dirname(path)
        if parent and osp.isdir(parent) and \
                osp.normpath(parent) != osp.normpath(self.data_root or '.'):
            contents = folder_contents(parent)
            if contents:
                where.append(f'{parent!r} {contents}')
        holds = f'; {"; ".join(where)}' if where else ''
        raise DataFileNotFoundError(
            f'{arg}={given!r}: the annotation file {path!r} {what}{holds}. '
            f'Set data_root to the folder that holds {FOLDER_LAYOUT}, or set '
            f'{arg}.')

    def load_data_list(self) -> List[dict]:
        """Parse and check the annotation; return one dict per image."""
        self.check_data_files()
        samples = read_annotation(self.ann_file, self.num_classes,
                                  self.num_bias_classes)
        train = self._training_samples(samples)
        alignment = self._alignment(train)
        self._check_classes_have_alignment(samples, alignment)
        if train is not None and not self.is_train_split() \
                and not self.allow_unseen_bias:
            self._check_no_unseen_bias(samples, train)
        backend = get_file_backend(self.img_prefix, enable_singleton=True)
        paths = [backend.join_path(self.img_prefix, s.path) for s in samples]
        if self.check_files:
            self._check_images_exist(samples, paths, backend)
        data_list = [
            dict(
                img_path=path,
                gt_label=s.label,
                bias_label=s.bias_label,
                bias_aligned=alignment.get(s.label) == s.bias_label)
            for s, path in zip(samples, paths)
        ]
        self._metainfo['bias_alignment'] = tuple(
            alignment.get(c) for c in range(self.num_classes))
        num_aligned = sum(d['bias_aligned'] for d in data_list)
        print_log(
            f'BiasedImageDataset: {len(data_list)} images from '
            f'{self.ann_file} ({self.num_classes} classes, '
            f'{self.num_bias_classes} bias classes), {num_aligned} '
            f'({100 * num_aligned / len(data_list):.1f}%) bias-aligned.',
            logger='current')
        return data_list

    def _training_samples(self, samples: List[AnnotationLine]
                          ) -> Optional[List[AnnotationLine]]:
        """The training annotation's samples (None without one)."""
        if self.is_train_split():
            return samples
        train_file = self.resolved_train_ann_file()
        if not train_file:
            return None
        if not mmengine.fileio.exists(train_file):
            raise DataFileNotFoundError(
                f'BiasedImageDataset ({self.ann_file}): the training '
                f'annotation {train_file!r} (train_ann_file) does not exist; '
                'it defines which bias label is aligned with each class. '
                'Point train_ann_file at it, or give bias_alignment and set '
                'train_ann_file=None.')
        return read_annotation(train_file, self.num_classes,
                               self.num_bias_classes)

    def _alignment(self, train: Optional[List[AnnotationLine]]
                   ) -> Dict[int, int]:
        """``{label: aligned bias label}`` from the config or the training
        majority."""
        if self.bias_alignment is not None:
            return dict(self.bias_alignment)
        tied = tied_classes(train)
        if tied:
            print_log(
                f'BiasedImageDataset: in {self.resolved_train_ann_file()}, '
                f'classes {tied} have several most frequent bias labels; the '
                'smallest counts as aligned. Give bias_alignment to choose.',
                logger='current', level=logging.WARNING)
        return majority_bias(train)

    def _check_classes_have_alignment(self, samples, alignment) -> None:
        for s in samples:
            if s.label not in alignment:
                raise ValueError(
                    f'{self.ann_file}, line {s.line}: class {s.label} '
                    f'({self.metainfo["classes"][s.label]!r}) has no image in '
                    f'the training annotation {self.resolved_train_ann_file()}'
                    ', so its aligned bias label is undefined. Add training '
                    'images of it, or give bias_alignment={label: bias_label}'
                    ' in the dataset config.')

    def _check_no_unseen_bias(self, samples, train) -> None:
        seen = {s.bias_label for s in train}
        unseen = [s for s in samples if s.bias_label not in seen]
        if unseen:
            first = unseen[0]
            values = sorted({s.bias_label for s in unseen})
            raise ValueError(
                f'{self.ann_file}, line {first.line}: bias_label '
                f'{first.bias_label} never occurs in the training annotation '
                f'{self.resolved_train_ann_file()} ({len(unseen)} image(s) of '
                f'this split have unseen bias labels {values}). A bias '
                'predictor cannot learn them and the aligned/conflicting '
                'split means little for them. Fix the labels, add training '
                'images with them, or set allow_unseen_bias=True.')

    def _check_images_exist(self, samples, paths, backend) -> None:
        isfile = getattr(backend, 'isfile', None)
        if isfile is None:  # e.g. HTTP backends: nothing cheap to ask
            return
        missing = [(s, p) for s, p in zip(samples, paths) if not isfile(p)]
        if missing:
            listed = '; '.join(f'line {s.line}: {p}' for s, p in missing[:5])
            more = f' and {len(missing) - 5} more' if len(missing) > 5 else ''
            raise DataFileNotFoundError(
                f'{self.ann_file}: {len(missing)} image(s) do not exist '
                f'({listed}{more}). Paths are relative to data_prefix '
                f'{self.img_prefix!r}; fix data_root/data_prefix or the '
                'lines, or remove them.')

    def get_bias_labels(self) -> np.ndarray:
        """Bias labels of all samples, (N,) int64."""
        return np.array(
            [self.get_data_info(i)['bias_label'] for i in range(len(self))],
            dtype=np.int64)

    def extra_repr(self) -> List[str]:
        """Lines added to ``repr(dataset)``."""
        return super().extra_repr() + [
            f'Number of bias classes: \t{self.num_bias_classes}',
            f'Training annotation: \t{self.resolved_train_ann_file()}',
        ]
