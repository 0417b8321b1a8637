"""The generated-split cache: keyed, atomic, and never trusted when
corrupt."""
import numpy as np
import pytest
from colored_mnist_testutils import write_idx_set

from lnl_mm.datasets import ColoredMNIST
from lnl_mm.datasets.cache import cache_key, load_arrays, save_arrays


def cache_files(cache_dir):
    return sorted((cache_dir / 'colored_mnist').glob('*.bin'))


def build(cache_dir, **kwargs):
    kwargs.setdefault('source', 'sample')
    kwargs.setdefault('split', 'val')
    return ColoredMNIST(cache_dir=str(cache_dir), **kwargs)


def images(dataset):
    return np.stack([info['img'] for info in dataset.data_list])


def test_cache_written_atomically_under_cache_dir(tmp_path, isolated_cache):
    build(tmp_path / 'c')
    files = cache_files(tmp_path / 'c')
    assert len(files) == 1 and files[0].name.startswith('val-')
    # no temporary file of the atomic write (lnl_mm.utils.atomic_files) left
    assert not any(p.name.endswith('.tmp') for p in (tmp_path / 'c').rglob('*'))
    # the default cache dir (here $LNL_MM_CACHE_DIR) is used for None
    ColoredMNIST(source='sample', split='val')
    assert len(cache_files(isolated_cache)) == 1
    # False disables caching
    ColoredMNIST(source='sample', split='test', cache_dir=False)
    assert len(cache_files(isolated_cache)) == 1


def test_cache_hit_skips_the_source(plain_idx_root, tmp_path, monkeypatch):
    first = build(tmp_path / 'c', data_root=str(plain_idx_root),
                  source='idx', num_val=10, split='train')

    def must_not_load(*args):
        raise AssertionError('the source was read despite a cache hit')

    monkeypatch.setattr('lnl_mm.datasets.source_resolution.load_idx_digits',
                        must_not_load)
    hit = build(tmp_path / 'c', data_root=str(plain_idx_root), source='idx',
                num_val=10, split='train')
    np.testing.assert_array_equal(images(first), images(hit))


def test_key_covers_options_and_source_bytes(tmp_path, sample_digits,
                                             tiny_set):
    cache = tmp_path / 'c'
    build(cache)
    build(cache, color_var=0.03)
    build(cache, data_seed=1)
    build(cache, val_protocol='test')
    build(cache, palette=np.eye(3).tolist() * 3 + [[0.5, 0.5, 0.5]])
    assert len(cache_files(cache)) == 5
    # rewriting the IDX bytes gives a new entry, not a stale image
    root = write_idx_set(tmp_path / 'idx', tiny_set)
    old = images(build(cache, data_root=str(root), source='idx', num_val=10))
    flipped = dict(tiny_set)
    flipped['train_images'] = 255 - tiny_set['train_images']
    write_idx_set(root, flipped)
    new = images(build(cache, data_root=str(root), source='idx', num_val=10))
    assert not np.array_equal(old, new)


@pytest.mark.parametrize('damage', [
    lambda b: b[:len(b) // 2],
    lambda b: b[:-1000] + bytes(x ^ 0xFF for x in b[-1000:]),
    lambda b: b'garbage',
    lambda b: b'',
])
def test_corrupt_cache_is_rebuilt(tmp_path, log_records, damage):
    cache = tmp_path / 'c'
    reference = images(build(cache))
    path, = cache_files(cache)
    path.write_bytes(damage(path.read_bytes()))
    rebuilt = build(cache)
    np.testing.assert_array_equal(images(rebuilt), reference)
    warning, = log_records.warnings()
    assert 'corrupt dataset cache' in warning and str(path) in warning
    # the rebuilt file is good again
    log_records.records.clear()
    build(cache)
    assert not log_records.warnings()


def test_unwritable_cache_dir_warns_and_continues(tmp_path, log_records):
    blocker = tmp_path / 'a_file'
    blocker.write_text('not a directory')
    dataset = build(blocker / 'cache')
    assert len(dataset) == 500
    warning, = log_records.warnings()
    assert 'Could not write the dataset cache' in warning
    assert blocker.read_text() == 'not a directory'


def test_save_and_load_arrays_roundtrip(tmp_path):
    arrays = dict(a=np.arange(10, dtype=np.int64).reshape(2, 5),
                  b=np.zeros((0, 3), dtype=np.uint8),
                  c=np.array([True, False]))
    key = cache_key(x=1)
    path = str(tmp_path / 'entry.bin')
    assert save_arrays(path, key, arrays, meta=dict(n=1))
    loaded, meta = load_arrays(path, key)
    assert meta == dict(n=1)
    for name, array in arrays.items():
        np.testing.assert_array_equal(loaded[name], array)
        assert loaded[name].dtype == array.dtype
    assert load_arrays(path, cache_key(x=2)) is None  # other key: rebuild
    assert load_arrays(str(tmp_path / 'absent.bin'), key) is None


def test_source_digest_memo(plain_idx_root, tmp_path, monkeypatch):
    from lnl_mm.datasets import sources
    cache = tmp_path / 'c'
    build(cache, data_root=str(plain_idx_root), source='idx', num_val=10)
    memo = cache / 'colored_mnist' / 'source_digests.json'
    assert memo.is_file()
    # a new process (empty in-process memo) reuses the stored digests ...
    monkeypatch.setattr(sources, '_digest_memo', {})
    monkeypatch.setattr(sources.hashlib, 'sha1', None)  # hashing would fail
    build(cache, data_root=str(plain_idx_root), source='idx', num_val=10)
    monkeypatch.undo()
    # ... and a damaged memo only costs re-hashing
    memo.write_text('{not json')
    monkeypatch.setattr(sources, '_digest_memo', {})
    build(cache, data_root=str(plain_idx_root), source='idx', num_val=10)
