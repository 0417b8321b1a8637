"""Every bad input gets a clear error naming the file or value and the fix,
and leaves the disk untouched."""
import gzip
import os

import numpy as np
import pytest
from colored_mnist_testutils import snapshot, write_idx, write_idx_set

from lnl_mm.datasets import ColoredMNIST, IDX_FILES

TRAIN_IMAGES = IDX_FILES['train_images']
TRAIN_LABELS = IDX_FILES['train_labels']


def build_idx(root, **kwargs):
    return ColoredMNIST(data_root=str(root), source='idx', num_val=10,
                        **kwargs)


def assert_fails_untouched(root, error, match, **kwargs):
    """Building raises ``error`` and changes no file in root."""
    before = snapshot(root) if root.exists() else None
    with pytest.raises(error, match=match):
        build_idx(root, **kwargs)
    assert (snapshot(root) if root.exists() else None) == before


def test_missing_idx_files_lists_names_and_fix(tmp_path):
    root = tmp_path / 'empty'
    root.mkdir()
    with pytest.raises(FileNotFoundError) as err:
        build_idx(root)
    msg = str(err.value)
    for name in IDX_FILES.values():
        assert name in msg
    assert str(root) in msg and 'download=True' in msg
    assert 'source="sample"' in msg
    assert not snapshot(root)


def test_partly_missing_idx_files(plain_idx_root):
    (plain_idx_root / IDX_FILES['test_labels']).unlink()
    with pytest.raises(FileNotFoundError) as err:
        build_idx(plain_idx_root)
    assert IDX_FILES['test_labels'] in str(err.value)
    assert TRAIN_IMAGES + '[' not in str(err.value)


@pytest.mark.parametrize('corrupt', [
    lambda b: b'\x01' + b[1:],  # bad magic number
    lambda b: b[:2] + b'\x0d' + b[3:],  # float32, not unsigned bytes
    lambda b: b[:3] + b'\x02' + b[4:],  # 2 dims
    lambda b: b[:-10],  # truncated
    lambda b: b + b'\0',  # trailing data
    lambda b: b[:6],  # truncated inside the header
    lambda b: b'',  # empty
], ids=['magic', 'type', 'dims', 'truncated', 'trailing', 'header', 'empty'])
def test_corrupt_idx_images(plain_idx_root, corrupt):
    path = plain_idx_root / TRAIN_IMAGES
    path.write_bytes(corrupt(path.read_bytes()))
    assert_fails_untouched(plain_idx_root, ValueError,
                           match='Cannot read .* as an MNIST-format IDX '
                           r'image file \(\w+')
    with pytest.raises(ValueError) as err:
        build_idx(plain_idx_root)
    assert str(path) in str(err.value) and 'delete' in str(err.value)


def test_image_label_count_mismatch(plain_idx_root, tiny_set):
    write_idx(plain_idx_root / TRAIN_LABELS, tiny_set['train_labels'][:-3])
    assert_fails_untouched(plain_idx_root, ValueError,
                           match='120 images but 117 labels in .*' +
                           TRAIN_IMAGES)


def test_labels_out_of_range(plain_idx_root, tiny_set):
    labels = tiny_set['train_labels'].copy()
    labels[0] = 12
    write_idx(plain_idx_root / TRAIN_LABELS, labels)
    assert_fails_untouched(plain_idx_root, ValueError,
                           match=r'integers in 0\.\.9')


def test_corrupt_gzip(tmp_path, tiny_set):
    root = write_idx_set(tmp_path / 'gz', tiny_set, gz=True)
    path = root / (TRAIN_IMAGES + '.gz')
    path.write_bytes(path.read_bytes()[:200])
    assert_fails_untouched(root, ValueError,
                           match='Cannot read .*' + TRAIN_IMAGES)
    path.write_bytes(b'not gzip at all')
    assert_fails_untouched(root, ValueError, match='Cannot read')
    # a gzipped file with a wrong header is reported like a plain one
    path.write_bytes(gzip.compress(b'\0\0\x08\x03' + b'\0' * 4))
    assert_fails_untouched(root, ValueError,
                           match='Cannot read .*' + TRAIN_IMAGES)


# ------------------------------------------------------------ authors' npy
def save_npy(path, content):
    np.save(path, content, allow_pickle=True)


def lntl_content(n=20):
    images = np.zeros((n, 28, 28, 3), dtype=np.uint8)
    images[:, 10:20, 10:14] = (200, 30, 30)
    labels = np.arange(n) % 10
    return dict(train_image=images, train_label=labels, test_image=images,
                test_label=labels)


@pytest.mark.parametrize('missing', ['train_label', 'test_image'])
def test_npy_missing_key(tmp_path, missing):
    content = lntl_content()
    del content[missing]
    root = tmp_path / 'lntl'
    root.mkdir()
    path = root / 'mnist_10color_jitter_var_0.020.npy'
    save_npy(path, content)
    before = snapshot(root)
    with pytest.raises(ValueError) as err:
        ColoredMNIST(data_root=str(root), source='lntl_npy', num_val=2)
    assert missing in str(err.value) and str(path) in str(err.value)
    assert 'train_image, train_label, test_image, test_label' in \
        str(err.value)
    assert snapshot(root) == before


def test_npy_not_a_dict_or_bad_shape(tmp_path):
    path = tmp_path / 'mnist_10color_jitter_var_0.020.npy'
    np.save(path, np.zeros(3))
    with pytest.raises(ValueError, match='does not hold a dict'):
        ColoredMNIST(data_root=str(tmp_path), source='lntl_npy')
    content = lntl_content()
    content['train_image'] = content['train_image'][..., 0]
    save_npy(path, content)
    with pytest.raises(ValueError, match='N x H x W x 3'):
        ColoredMNIST(data_root=str(tmp_path), source='lntl_npy')
    content = lntl_content()
    content['test_label'] = content['test_label'][:5]
    save_npy(path, content)
    with pytest.raises(ValueError, match='20 test images but 5 labels'):
        ColoredMNIST(data_root=str(tmp_path), source='lntl_npy', split='test')


def test_npy_file_missing(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        ColoredMNIST(data_root=str(tmp_path), source='lntl_npy',
                     color_var=0.035)
    msg = str(err.value)
    assert 'mnist_10color_jitter_var_0.035.npy' in msg
    assert 'learning-not-to-learn' in msg and 'npy_file' in msg


def test_npy_options_that_need_recolouring(tmp_path):
    with pytest.raises(ValueError, match='conflict_ratio=0.1 .*lntl_npy'):
        ColoredMNIST(data_root=str(tmp_path), source='lntl_npy',
                     conflict_ratio=0.1)
    with pytest.raises(ValueError, match='val_protocol="test"'):
        ColoredMNIST(data_root=str(tmp_path), source='lntl_npy', split='val',
                     val_protocol='test')


# ------------------------------------------------------------- arguments
@pytest.mark.parametrize('kwargs, match', [
    (dict(split='training'), "split='training' is unknown.*'val'"),
    (dict(source='mnist'), "source='mnist' is unknown.*'lntl_npy'"),
    (dict(val_protocol='random'), "val_protocol='random'"),
    (dict(color_var=0), 'color_var=0.0 is not a positive finite number'),
    (dict(color_var=-0.02), 'color_var=-0.02'),
    (dict(color_var=float('nan')), 'color_var=nan'),
    (dict(color_var=float('inf')), 'color_var=inf'),
    (dict(color_var='0.02'), "color_var='0.02' is not a number"),
    (dict(palette=[[1, 0, 0]] * 9), r'palette has shape \(9, 3\)'),
    (dict(palette=[[1, 0, 0, 0]] * 10), r'palette has shape \(10, 4\)'),
    (dict(palette=[[2, 0, 0]] * 10), r'palette values must lie in \[0, 1\]'),
    (dict(conflict_ratio=1.5), r'conflict_ratio=1.5 .*\[0, 1\]'),
    (dict(stroke_threshold=300), r'stroke_threshold=300 .*\[0, 255\]'),
    (dict(data_seed=1.5), 'data_seed=1.5 must be an integer'),
    (dict(num_val=-1), 'num_val=-1 must not be negative'),
    (dict(num_val=1.0), r'num_val=1.0 as a fraction must lie in \[0, 1\)'),
    (dict(num_val='10%'), 'num_val=.10%. must be a count'),
    (dict(num_val=3500 + 500), r'num_val=4000 must be in \[0, 4000\)'),
    (dict(sample_num_test=5000), 'sample_num_test=5000'),
    (dict(num_color_bins=10), 'num_color_bins=10 must be a power of two'),
    (dict(color_ignore_index=3), 'ignore_index=3'),
])
def test_bad_arguments(kwargs, match):
    kwargs.setdefault('source', 'sample')
    with pytest.raises(ValueError, match=match):
        ColoredMNIST(**kwargs)


# ------------------------------------------------------------- data_root
@pytest.mark.parametrize('kwargs', [
    dict(source='idx'),
    dict(source='auto', download=True),
    dict(source='kmnist', download=True),
    dict(source='lntl_npy'),
], ids=lambda kwargs: kwargs['source'])
def test_data_root_that_is_a_file(tmp_path, kwargs):
    path = tmp_path / 'passwd'
    path.write_text('root:x:0:0::/root:/bin/sh\n')
    with pytest.raises(ValueError) as err:
        ColoredMNIST(data_root=str(path), lazy_init=True, **kwargs)
    msg = str(err.value)
    assert msg.startswith(f'data_root={str(path)!r} is a file, not a folder')
    assert 'Set data_root to the folder' in msg and 'source="sample"' in msg
    assert snapshot(tmp_path) == {'passwd': b'root:x:0:0::/root:/bin/sh\n'}


def test_data_root_that_cannot_be_read(unlistable_folder):
    root = unlistable_folder
    with pytest.raises(ValueError, match=r"^data_root='.*locked' cannot be "
                       r'read \(Permission denied\)\. Make it readable'):
        build_idx(root, download=True, lazy_init=True)
    assert not snapshot(root)


@pytest.mark.skipif(os.geteuid() == 0, reason='root reads any folder')
def test_data_root_without_permissions(tmp_path):
    root = tmp_path / 'locked'
    root.mkdir()
    root.chmod(0)
    try:
        with pytest.raises(ValueError, match='cannot be read'):
            build_idx(root)
    finally:
        root.chmod(0o700)


def test_data_root_of_another_data_set_says_which(tmp_path, tiny_set):
    npy = tmp_path / 'npy'
    npy.mkdir()
    (npy / 'mnist_10color_jitter_var_0.020.npy').write_bytes(b'')
    with pytest.raises(FileNotFoundError,
                       match='holds 1 .npy file: '
                       r'mnist_10color_jitter_var_0.020.npy '
                       r'\(source="lntl_npy" reads'):
        build_idx(npy)
    fashion = tmp_path / 'tv'
    write_idx_set(fashion / 'FashionMNIST' / 'raw', tiny_set)
    with pytest.raises(FileNotFoundError,
                       match=r"holds 1 folder: FashionMNIST/ "
                       r"\(source='fashion_mnist'"):
        build_idx(fashion)
    idx = write_idx_set(tmp_path / 'idx', tiny_set)
    with pytest.raises(FileNotFoundError, match=r'\(source="idx" reads'):
        ColoredMNIST(data_root=str(idx), source='lntl_npy')


def test_tools_stop_on_a_file_data_root_before_writing(tmp_path):
    import os.path as osp

    from mmengine.config import Config

    from lnl_mm.utils import ConfigError, check_dataset_cfgs
    repo = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    cfg = Config.fromfile(osp.join(repo, 'configs', 'lnl_cmnist.py'))
    path = tmp_path / 'passwd'
    path.write_text('root:x:0:0::/root:/bin/sh\n')
    cfg.train_dataloader.dataset.update(source='idx', data_root=str(path))
    with pytest.raises(ConfigError, match=r"^train_dataloader\.dataset "
                       r"\(ColoredMNIST\): data_root='.*passwd' is a file, "
                       'not a folder'):
        check_dataset_cfgs(cfg)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['passwd']
