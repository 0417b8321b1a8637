"""Annotation files of biased image folders: ``path label bias_label``.

Helpers of :class:`~lnl_mm.datasets.BiasedImageDataset`, kept free of
MMEngine's dataset machinery so they can be used on their own (e.g. to check
a folder before training).
"""
from collections import Counter
from typing import Dict, List, NamedTuple, Optional, Sequence

import mmengine
from mmengine.fileio import get_text


class AnnotationLine(NamedTuple):
    """One sample of an annotation file."""
    path: str
    label: int
    bias_label: int
    line: int  # 1-based line number in the file


def read_annotation(ann_file: str, num_classes: Optional[int] = None,
                    num_bias_classes: Optional[int] = None
                    ) -> List[AnnotationLine]:
    """Parse an annotation file, one sample per line::

        relative/path/to/image.png <label> <bias_label>

    Fields are separated by whitespace (so paths may contain no spaces);
    labels are non-negative integers. Blank lines are skipped.

    Args:
        ann_file (str): The file (any MMEngine file backend).
        num_classes (int, optional): Labels must lie in
            ``[0, num_classes)``; None skips the check.
        num_bias_classes (int, optional): Bias labels must lie in
            ``[0, num_bias_classes)``; None skips the check.

    Returns:
        list[AnnotationLine]: The samples in file order.

    Raises:
        FileNotFoundError: The file does not exist.
        ValueError: A malformed line or a label out of range, naming the
            file and the line number.
    """
    if not mmengine.fileio.exists(ann_file):
        raise FileNotFoundError(
            f'Annotation file {ann_file!r} does not exist. Each split needs '
            'one (by default data_root/meta/train.txt, meta/val.txt and '
            'meta/test.txt), with one line "relative/path.png <label> '
            '<bias_label>" per image; or set ann_file.')
    samples = []
    for number, text in enumerate(get_text(ann_file).splitlines(), 1):
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


def majority_bias(samples: Sequence[AnnotationLine]) -> Dict[int, int]:
    """The most frequent bias label of every class among ``samples``:
    ``{label: bias_label}``. Ties go to the smallest bias label; a class
    without samples has no entry."""
    counts: Dict[int, Counter] = {}
    for sample in samples:
        counts.setdefault(sample.label, Counter())[sample.bias_label] += 1
    return {
        label: min(c, key=lambda b: (-c[b], b))
        for label, c in sorted(counts.items())
    }


def tied_classes(samples: Sequence[AnnotationLine]) -> List[int]:
    """Classes whose most frequent bias label is not unique."""
    counts: Dict[int, Counter] = {}
    for sample in samples:
        counts.setdefault(sample.label, Counter())[sample.bias_label] += 1
    tied = []
    for label, c in sorted(counts.items()):
        top = c.most_common(2)
        if len(top) == 2 and top[0][1] == top[1][1]:
            tied.append(label)
    return tied
