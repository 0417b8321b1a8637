"""Pack a batch of in-memory samples at once, as mmpretrain's ``PackInputs``
packs them one by one.

A DataLoader asks a map-style data set for a batch's samples through
``__getitems__`` when it has one. For samples that are already arrays in
memory and a pipeline that only packs them (one ``PackInputs``),
most of the per-sample cost is the packing's own overhead: a copy of every
array, a layout change of every image and a tensor per label. Done for the
whole batch, the same results cost a fraction of that.
"""
from typing import List, Optional, Sequence

import numpy as np
import torch
from mmpretrain.datasets.transforms import PackInputs
from mmpretrain.structures import DataSample


def sole_pack_inputs(pipeline) -> Optional[PackInputs]:
    """The pipeline's transform when it is exactly one mmpretrain
    ``PackInputs`` (not a subclass, whose packing may differ); else None."""
    transforms = getattr(pipeline, 'transforms', None)
    if transforms is not None and len(transforms) == 1 \
            and type(transforms[0]) is PackInputs:
        return transforms[0]
    return None


def pack_batch(rows: Sequence[dict], pack: PackInputs) -> Optional[List[dict]]:
    """``[pack(dict(row)) for row in rows]``, packed for the whole batch.

    Every array field that ``pack`` keeps is gathered with one copy for the
    batch (so, as with ``PackInputs`` on ``get_data_info``'s copies, no
    result shares memory with ``rows``), the images change layout (HWC to
    a contiguous CHW tensor) in one operation, and the labels become
    tensors in one call. The results equal ``PackInputs``' field by field:
    values, dtypes, shapes, contiguity and metainfo.

    Args:
        rows (Sequence[dict]): The samples' fields, as a data set's
            ``data_list`` holds them; every row has the same keys, and each
            array field has one shape across the rows.
        pack (PackInputs): The transform whose results to reproduce.

    Returns:
        list[dict] | None: One ``dict(inputs=..., data_samples=...)`` per
        row; None when the rows are not of that form (images other than
        ``H x W`` or ``H x W x C`` arrays, ragged arrays, labels other than
        integers, ``gt_score`` or ``mask`` fields), for the caller to pack
        them one by one.
    """
    if not rows:
        return []
    first = rows[0]
    keys = set(first)
    if any(set(row) != keys for row in rows) \
            or keys & {'gt_score', 'mask'}:
        return None
    kept = [key for key in pack.algorithm_keys if key in keys]
    arrays = {}
    for key in ([pack.input_key] if pack.input_key in keys else []) + kept:
        if isinstance(first[key], np.ndarray):
            shape = first[key].shape
            if any(not isinstance(row[key], np.ndarray)
                   or row[key].shape != shape for row in rows):
                return None
            arrays[key] = np.stack([row[key] for row in rows])
    inputs = None
    if pack.input_key in keys:
        images = arrays.get(pack.input_key)
        if images is None or images.ndim not in (3, 4):
            return None
        if images.ndim == 3:  # grayscale H x W
            images = images[..., None]
        inputs = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous(
        ).unbind(0)
    labels = None
    if 'gt_label' in keys:
        values = [row['gt_label'] for row in rows]
        if not all(isinstance(v, (int, np.integer)) and not isinstance(
                v, bool) for v in values):
            return None
        labels = torch.tensor(values, dtype=torch.long).split(1)

    results = []
    for i, row in enumerate(rows):
        sample = DataSample()
        if labels is not None:
            # what set_gt_label stores for a 1-D long tensor, without its
            # per-sample type dispatch
            sample.set_field(labels[i], 'gt_label', dtype=torch.Tensor)
        for key in kept:
            sample.set_field(arrays[key][i] if key in arrays else row[key],
                             key)
        for key in pack.meta_keys:
            if key in keys:
                sample.set_field(row[key], key, field_type='metainfo')
        packed = {} if inputs is None else dict(inputs=inputs[i])
        packed['data_samples'] = sample
        results.append(packed)
    return results
