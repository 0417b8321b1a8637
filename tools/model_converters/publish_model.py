"""Turn a training checkpoint into a published, weights-only one.

Usage::

    python tools/model_converters/publish_model.py IN_FILE OUT_FILE

keeps the checkpoint's ``state_dict`` and ``meta`` (the config, seed, epoch,
dataset metainfo; ``lnl_mm_version`` is added) and drops everything that
only resuming needs (optimizer and scheduler states, the message hub). The
result is written as ``<OUT_FILE without .pth>_<YYYYMMDD>-<sha256[:8]>.pth``,
the OpenMMLab naming: the date of publishing and the first 8 hex digits of
the file's SHA-256, so a download can be checked with ``sha256sum``. E.g.::

    python tools/model_converters/publish_model.py \\
        work_dirs/lnl_cmnist/best_accuracy_top1_epoch_16.pth \\
        checkpoints/lnl_cmnist.pth
    # -> checkpoints/lnl_cmnist_20260101-1a2b3c4d.pth

The input is read with ``weights_only=True`` (lnl_mm's checkpoint rules);
a checkpoint whose weights hold NaN or inf is refused.
"""
import argparse
import datetime
import hashlib
import os
import os.path as osp
import sys
from collections import OrderedDict
from typing import Optional, Sequence

import torch

import lnl_mm
from lnl_mm.utils import (CheckpointError, atomic_file, read_checkpoint,
                          run_cli)
from lnl_mm.utils.numerics import non_finite_tensors

#: The only top-level entries a published checkpoint keeps.
KEPT = ('state_dict', 'meta')


def weights_only_checkpoint(checkpoint: dict, source: str = '') -> dict:
    """``{'state_dict': ..., 'meta': ...}`` of a training checkpoint.

    ``meta`` is copied and gets ``lnl_mm_version`` unless it has one; a
    ``module.`` prefix (a checkpoint saved from a DDP wrapper) is removed
    from the weights' names.

    Raises:
        CheckpointError: There is no ``state_dict`` mapping of tensors, or
            some weights are NaN or inf.
    """
    state_dict = checkpoint.get('state_dict')
    if not isinstance(state_dict, dict) or not state_dict:
        raise CheckpointError(
            f'{source or "The checkpoint"} has no state_dict (its entries: '
            f'{sorted(checkpoint)}); publish a checkpoint written by '
            'tools/train.py.')
    bad = non_finite_tensors(state_dict)
    if bad:
        raise CheckpointError(
            f'{source or "The checkpoint"} holds NaN or inf in '
            f'{", ".join(bad[:5])}{" ..." if len(bad) > 5 else ""}; a '
            'diverged model is not published.')
    weights = OrderedDict(
        (key[len('module.'):] if key.startswith('module.') else key, value)
        for key, value in state_dict.items())
    meta = dict(checkpoint.get('meta') or {})
    meta.setdefault('lnl_mm_version', lnl_mm.__version__)
    return dict(state_dict=weights, meta=meta)


def sha256_of(path: str) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def publish(in_file: str, out_file: str,
            date: Optional[str] = None) -> str:
    """Write the weights-only checkpoint of ``in_file``; return its path.

    Args:
        in_file (str): A checkpoint written by training.
        out_file (str): Where to write it; ``.pth`` is removed and
            ``_<date>-<sha256[:8]>.pth`` appended.
        date (str, optional): ``YYYYMMDD``; defaults to today.
    """
    published = weights_only_checkpoint(read_checkpoint(in_file, 'cpu'),
                                        in_file)
    stem = out_file[:-len('.pth')] if out_file.endswith('.pth') else out_file
    out_dir = osp.dirname(osp.abspath(stem))
    os.makedirs(out_dir, exist_ok=True)
    date = date or datetime.date.today().strftime('%Y%m%d')
    if len(date) != 8 or not date.isdigit():
        raise CheckpointError(f'--date {date!r} is not YYYYMMDD.')
    # write it under a temporary name first: the final name holds the hash
    # of the finished file
    temp = osp.join(out_dir, f'.{osp.basename(stem)}.publishing.pth')
    with atomic_file(temp) as tmp_path:
        torch.save(published, tmp_path)
    final = f'{stem}_{date}-{sha256_of(temp)[:8]}.pth'
    os.replace(temp, final)
    return final


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Make a weights-only checkpoint named '
        '<out>_<YYYYMMDD>-<sha256[:8]>.pth (lnl_mm)')
    parser.add_argument('in_file', help='checkpoint written by training')
    parser.add_argument(
        'out_file', help='output name, e.g. checkpoints/lnl_cmnist.pth')
    parser.add_argument(
        '--date', help='YYYYMMDD in the name (default: today)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> str:
    args = parse_args(argv)
    final = publish(args.in_file, args.out_file, args.date)
    checkpoint = read_checkpoint(final, 'cpu')
    params = sum(v.numel() for v in checkpoint['state_dict'].values()
                 if isinstance(v, torch.Tensor))
    print(f'{final}: {len(checkpoint["state_dict"])} tensors, {params:,} '
          f'values, {osp.getsize(final):,} bytes, sha256 {sha256_of(final)}')
    return final


if __name__ == '__main__':
    sys.exit(run_cli(main))
