"""Annotation files of biased image folders (``path label bias_label``),
class lists and alignments: helpers of
:class:`~lnl_mm.datasets.BiasedImageDataset`, kept free of MMEngine's
dataset machinery so they can be used on their own (e.g. to check a folder
before training)."""
import os.path as osp
from collections import Counter
from typing import Dict, List, NamedTuple, Optional, Sequence, Union

import mmengine
import numpy as np
from mmengine.fileio import get_text

from ..utils.errors import DataError, DataFileNotFoundError

ClassSpec = Union[int, str, Sequence[str]]


class AnnotationLine(NamedTuple):
    """One sample of an annotation file."""
    path: str
    label: int
    bias_label: int
    line: int  # 1-based line number in the file


def read_annotation(ann_file: str, num_classes: Optional[int] = None,
                    num_bias_classes: Optional[int] = None
                    ) -> List[AnnotationLine]:
    """The samples of an annotation file (any MMEngine file backend), in
    file order, one per line::

        relative/path/to/image.png <label> <bias_label>

    Fields are separated by whitespace (so paths may contain no spaces);
    labels are non-negative integers, below ``num_classes`` and
    ``num_bias_classes`` unless those are None. Blank lines are skipped. A
    missing file raises FileNotFoundError; a malformed line or a label out
    of range a ValueError naming the file and the line number.
    """
    if not mmengine.fileio.exists(ann_file):
        raise DataFileNotFoundError(
            f'Annotation file {ann_file!r} does not exist. Each split needs '
            'one (by default data_root/meta/train.txt, meta/val.txt and '
            'meta/test.txt), with one line "relative/path.png <label> '
            '<bias_label>" per image; or set ann_file.')
    try:
        text_lines = get_text(ann_file).splitlines()
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror \
            else f'{type(err).__name__}: {err}'
        raise DataError(
            f'Cannot read the annotation file {ann_file!r} ({reason}). It '
            'must be a readable text file with one line "relative/path.png '
            '<label> <bias_label>" per image; fix its permissions or '
            'encoding, or set ann_file.') from None
    samples = []
    for number, text in enumerate(text_lines, 1):
        fields = text.split()
        if not fields:
            continue
        where = f'{ann_file}, line {number}'
        if len(fields) != 3:
            raise ValueError(
                f'{where}: expected 3 whitespace-separated fields '
                f'"relative/path.png <label> <bias_label>", got '
                f'{len(fields)} in {text.strip()!r}. Paths may contain no '
                'spaces; rename such files.')
        path, label, bias = fields
        label = _parse_label(label, 'label', num_classes, 'classes', where)
        bias = _parse_label(bias, 'bias_label', num_bias_classes,
                            'bias_classes', where)
        samples.append(AnnotationLine(path, label, bias, number))
    if not samples:
        raise ValueError(f'Annotation file {ann_file!r} lists no samples.')
    return samples


def _parse_label(text: str, name: str, num: Optional[int], arg: str,
                 where: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(
            f'{where}: {name} {text!r} is not an integer; write the class '
            f'index (0, 1, ...), not its name.') from None
    if value < 0 or (num is not None and value >= num):
        bound = f'[0, {num - 1}]' if num is not None else '>= 0'
        raise ValueError(
            f'{where}: {name} {value} is out of range {bound}. Fix the line, '
            f'or list every class in the dataset\'s {arg} (it has '
            f'{num if num is not None else "no"} entries).')
    return value


def _bias_counts(samples: Sequence[AnnotationLine]) -> Dict[int, Counter]:
    """{label: Counter of its bias labels}, by label."""
    counts: Dict[int, Counter] = {}
    for sample in samples:
        counts.setdefault(sample.label, Counter())[sample.bias_label] += 1
    return dict(sorted(counts.items()))


def majority_bias(samples: Sequence[AnnotationLine]) -> Dict[int, int]:
    """The most frequent bias label of every class among ``samples``:
    ``{label: bias_label}``. Ties go to the smallest bias label; a class
    without samples has no entry."""
    return {
        label: min(c, key=lambda b: (-c[b], b))
        for label, c in _bias_counts(samples).items()
    }


def tied_classes(samples: Sequence[AnnotationLine]) -> List[int]:
    """Classes whose most frequent bias label is not unique."""
    return [
        label for label, c in _bias_counts(samples).items()
        if len(c) > 1 and c.most_common(2)[0][1] == c.most_common(2)[1][1]
    ]


def class_names_of(spec: Optional[ClassSpec], arg: str) -> List[str]:
    """Class names from a count, a sequence of names or a names file."""
    if spec is None:
        raise ValueError(
            f'BiasedImageDataset needs {arg}: the number of classes, their '
            'names, or a text file with one name per line.')
    if isinstance(spec, bool) or (isinstance(spec, (int, np.integer))
                                  and spec < 1):
        raise ValueError(f'BiasedImageDataset: {arg}={spec!r} is invalid; '
                         'give a number >= 1, names or a file.')
    if isinstance(spec, (int, np.integer)):
        return [str(i) for i in range(int(spec))]
    if isinstance(spec, str):
        path = osp.expanduser(spec)
        if not mmengine.fileio.exists(path):
            raise FileNotFoundError(
                f'BiasedImageDataset: {arg} file {spec!r} does not exist; '
                'give a file with one name per line, a list of names or the '
                'number of classes.')
        names = [n.strip() for n in mmengine.list_from_file(path)]
        names = [n for n in names if n]
    else:
        names = [str(n) for n in spec]
    if not names:
        raise ValueError(f'BiasedImageDataset: {arg} lists no class.')
    return names


def check_bias_alignment(mapping, num_classes: int,
                         num_bias_classes: int) -> Optional[Dict[int, int]]:
    """Validate ``bias_alignment``; return it as ``{label: bias_label}``."""
    if mapping is None:
        return None
    result = {}
    for label, bias in (mapping.items()
                        if isinstance(mapping, dict) else enumerate(mapping)):
        if not (isinstance(label, (int, np.integer)) and isinstance(
                bias, (int, np.integer)) and 0 <= label < num_classes
                and 0 <= bias < num_bias_classes):
            raise ValueError(
                f'BiasedImageDataset: bias_alignment entry {label!r}: '
                f'{bias!r} is invalid; map class indices in [0, '
                f'{num_classes - 1}] to bias labels in [0, '
                f'{num_bias_classes - 1}].')
        result[int(label)] = int(bias)
    return result
