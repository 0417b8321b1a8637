"""A data_root that is a file, cannot be read, or holds the wrong thing:
one message that says what data_root is or holds and the fix, a
:class:`~lnl_mm.utils.UserError` (one line from the tools), found by
file-system checks before anything is read where that is possible."""
import os

import pytest
from mmpretrain.registry import DATASETS

import lnl_mm  # noqa: F401
from lnl_mm.datasets import ColoredMNIST
from lnl_mm.datasets.folders import describe_data_root, folder_contents
from lnl_mm.utils import DataError, DataFileNotFoundError, UserError


def pngs(root, count=8):
    """A folder of ``count`` (fake) PNG images."""
    root.mkdir(parents=True)
    for i in range(count):
        (root / f'{i:04d}.png').write_bytes(b'\x89PNG')
    return root


def folder_dataset(root, split='train', **kwargs):
    return DATASETS.build(dict(
        type='BiasedImageDataset', data_root=str(root),
        ann_file=f'meta/{split}.txt', classes=2, bias_classes=2,
        lazy_init=True, **kwargs))


def test_folder_contents_counts_by_kind(tmp_path):
    root = pngs(tmp_path / 'imgs')
    assert folder_contents(str(root)) == (
        'holds 8 PNG images: 0000.png, 0001.png, 0002.png, 0003.png, '
        '0004.png, 0005.png and 2 more')
    (root / 'meta').mkdir()
    (root / 'notes.txt').write_text('x')
    assert folder_contents(str(root), max_names=2).startswith(
        'holds 8 PNG images, 1 .txt file and 1 folder: 0000.png, 0001.png '
        'and 8 more')
    (tmp_path / 'empty').mkdir()
    assert folder_contents(str(tmp_path / 'empty')) == 'is empty'
    assert folder_contents(str(root / 'notes.txt')) is None
    assert describe_data_root(str(tmp_path / 'nope')) == \
        f"data_root='{tmp_path}/nope' does not exist"
    assert describe_data_root(str(root / 'notes.txt')).endswith(
        'is a file, not a folder')


# ---------------------------------------------------- BiasedImageDataset
def test_folder_data_root_that_is_a_file(tmp_path):
    path = tmp_path / 'a_file.txt'
    path.write_text('not a data set\n')
    with pytest.raises(ValueError) as err:
        folder_dataset(path)
    assert str(err.value) == (
        f"data_root='{path}' is a file, not a folder. Set data_root to the "
        'folder that holds the annotation files meta/train.txt, '
        "meta/val.txt and meta/test.txt (one line 'relative/path.png "
        "<label> <bias_label>' per image) and the images they list.")


def test_folder_data_root_that_cannot_be_listed(unlistable_folder):
    root = unlistable_folder
    with pytest.raises(ValueError, match=r"^data_root='.*locked' cannot be "
                       r'read \(Permission denied\)\. Make it readable'):
        folder_dataset(root)


@pytest.mark.parametrize('kind', ['pngs', 'empty', 'missing'])
def test_folder_data_root_without_annotations(tmp_path, kind):
    root = tmp_path / 'root'
    if kind == 'pngs':
        pngs(root, 3)
        holds = ('holds 3 PNG images: 0000.png, 0001.png, 0002.png')
    elif kind == 'empty':
        root.mkdir()
        holds = 'is empty'
    else:
        holds = 'does not exist'
    dataset = folder_dataset(root, 'val')
    with pytest.raises(DataFileNotFoundError) as err:
        dataset.check_data_files()
    assert isinstance(err.value, UserError)
    assert str(err.value) == (
        f"ann_file='meta/val.txt': the annotation file '{root}/meta/val.txt' "
        f"does not exist; data_root='{root}' {holds}. Set data_root to the "
        'folder that holds the annotation files meta/train.txt, '
        "meta/val.txt and meta/test.txt (one line 'relative/path.png "
        "<label> <bias_label>' per image) and the images they list, or set "
        'ann_file.')
    # the load raises the same error (one line from the tools)
    with pytest.raises(DataFileNotFoundError, match='meta/val.txt'):
        dataset.full_init()
    assert not (root / 'meta').exists()


def test_folder_missing_training_annotation_and_meta_contents(tmp_path):
    root = tmp_path / 'root'
    (root / 'meta').mkdir(parents=True)
    (root / 'meta' / 'val.txt').write_text('a.png 0 0\n')
    with pytest.raises(DataFileNotFoundError) as err:
        folder_dataset(root, 'val').check_data_files()
    message = str(err.value)
    assert message.startswith(
        "train_ann_file='meta/train.txt': the annotation file "
        f"'{root}/meta/train.txt' does not exist; data_root='{root}' holds "
        "1 folder: meta/; '" f"{root}/meta' holds 1 .txt file: val.txt.")
    assert message.endswith('or set train_ann_file.')


def test_folder_unreadable_annotation(tmp_path, monkeypatch):
    root = tmp_path / 'root'
    (root / 'meta').mkdir(parents=True)
    (root / 'meta' / 'train.txt').write_text('a.png 0 0\n')
    access = os.access
    monkeypatch.setattr(os, 'access', lambda path, mode: False if str(
        path).endswith('train.txt') else access(path, mode))
    with pytest.raises(DataError, match=r"^ann_file='meta/train.txt': the "
                       'annotation file .* cannot be read'):
        folder_dataset(root).check_data_files()


# ---------------------------------------------------------- ColoredMNIST
def test_idx_files_missing_without_download_are_found_before_loading(
        tmp_path):
    root = pngs(tmp_path / 'imgs', 2)
    dataset = ColoredMNIST(data_root=str(root), source='idx',
                           lazy_init=True)
    with pytest.raises(DataFileNotFoundError) as err:
        dataset.check_data_files()
    message = str(err.value)
    assert message.startswith('MNIST IDX files missing in')
    assert f"data_root='{root}' holds 2 PNG images: 0000.png, 0001.png." \
        in message
    assert 'download=True' in message and 'source="sample"' in message
    with pytest.raises(DataFileNotFoundError) as load_err:
        dataset.full_init()
    assert str(load_err.value) == message
    # a download would fetch them, and 'auto' falls back to the sample
    for kwargs in (dict(source='idx', download=True), dict(source='auto')):
        ColoredMNIST(data_root=str(root), lazy_init=True,
                     **kwargs).check_data_files()
    with pytest.raises(DataFileNotFoundError, match='LNTL .npy file'):
        ColoredMNIST(data_root=str(root), source='lntl_npy',
                     lazy_init=True).check_data_files()
    assert sorted(os.listdir(root)) == ['0000.png', '0001.png']


def test_failed_download_says_what_data_root_holds(tmp_path, monkeypatch):
    import lnl_mm.datasets.torchvision_mnist as tvm

    class Offline:
        def __init__(self, *args, **kwargs):
            raise RuntimeError('Error downloading train-images-idx3-ubyte.gz'
                               ':\n<urlopen error [Errno -3] Temporary '
                               'failure in name resolution>')

    monkeypatch.setattr(tvm.tv_datasets, 'MNIST', Offline)
    root = pngs(tmp_path / 'imgs', 3)
    with pytest.raises(DataError) as err:
        ColoredMNIST(data_root=str(root), source='idx', download=True)
    message = str(err.value)
    assert isinstance(err.value, RuntimeError) and '\n' not in message
    assert message.startswith(
        f"Could not download MNIST into '{root}/MNIST/raw': Error "
        'downloading train-images-idx3-ubyte.gz: <urlopen error [Errno -3] '
        f"Temporary failure in name resolution>. data_root='{root}' holds 3 "
        'PNG images: 0000.png, 0001.png, 0002.png. Check the network')
    assert sorted(os.listdir(root)) == ['0000.png', '0001.png', '0002.png']
