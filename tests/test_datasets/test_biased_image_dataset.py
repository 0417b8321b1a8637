"""BiasedImageDataset on tiny image folders that the tests write."""
import os.path as osp
import sys

import numpy as np
import pytest
from mmpretrain.registry import DATASETS

import lnl_mm  # noqa: F401
from lnl_mm.datasets import BiasedImageDataset, majority_bias, read_annotation

sys.path.insert(
    0, osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                'test_utils'))
from biased_folder_testutils import write_biased_folder  # noqa: E402

PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='PackInputs', algorithm_keys=('bias_label', 'bias_aligned')),
]


@pytest.fixture
def folder(tmp_path):
    return write_biased_folder(tmp_path / 'data', size=(20, 28))


def build(root, split='train', **kwargs):
    cfg = dict(
        type='BiasedImageDataset',
        data_root=root,
        ann_file=f'meta/{split}.txt',
        classes=['cat', 'dog', 'fox'],
        bias_classes=3)
    cfg.update(kwargs)
    return DATASETS.build(cfg)


def write(path, text):
    with open(path, 'w') as f:
        f.write(text)


def test_samples_follow_the_annotation_and_aligned_is_the_train_majority(
        folder):
    root, images = folder
    train = build(root, 'train')
    assert len(train) == 12
    assert train.metainfo['classes'] == ('cat', 'dog', 'fox')
    assert train.metainfo['bias_classes'] == ('0', '1', '2')
    # bias label == label for all but the last training image of a class
    assert train.metainfo['bias_alignment'] == (0, 1, 2)
    for i, (path, label, bias, _) in enumerate(images['train']):
        info = train.get_data_info(i)
        assert info['img_path'] == osp.join(root, path)
        assert (info['gt_label'], info['bias_label']) == (label, bias)
        assert info['bias_aligned'] == (bias == label)
    assert sum(train.get_data_info(i)['bias_aligned']
               for i in range(12)) == 9
    np.testing.assert_array_equal(train.get_bias_labels(),
                                  [b for _, _, b, _ in images['train']])


def test_val_aligned_comes_from_the_training_annotation_not_its_own(folder):
    root, images = folder
    val = build(root, 'val')
    # val's own majority (bias labels label+1 and label+2, ties to the
    # smallest) differs from the training majority (the label itself)
    assert majority_bias(read_annotation(osp.join(root, 'meta/val.txt'))) \
        == {0: 1, 1: 0, 2: 0}
    assert val.metainfo['bias_alignment'] == (0, 1, 2)
    for i, (_, label, bias, _) in enumerate(images['val']):
        assert val.get_data_info(i)['bias_aligned'] == (bias == label)
    # Here no val image carries its class's training majority bias.
    assert not any(val.get_data_info(i)['bias_aligned'] for i in range(6))


def test_pipeline_yields_the_stored_pixels_and_the_bias_fields(folder):
    root, images = folder
    test = build(root, 'test', pipeline=PIPELINE)
    out = test[3]
    _, label, bias, rgb = images['test'][3]
    # LoadImageFromFile reads BGR, as for every mmpretrain dataset
    np.testing.assert_array_equal(out['inputs'].permute(1, 2, 0).numpy(),
                                  rgb[..., ::-1])
    sample = out['data_samples']
    assert int(sample.gt_label) == label
    assert sample.bias_label == bias
    assert sample.bias_aligned == (bias == label)


def test_explicit_alignment_overrides_the_majority(folder):
    root, _ = folder
    val = build(root, 'val', bias_alignment={0: 1, 1: 2, 2: 0})
    assert val.metainfo['bias_alignment'] == (1, 2, 0)
    assert sum(val.get_data_info(i)['bias_aligned'] for i in range(6)) == 3
    listed = build(root, 'val', bias_alignment=[1, 2, 0],
                   train_ann_file=None)
    assert [listed.get_data_info(i)['bias_aligned'] for i in range(6)] == \
        [val.get_data_info(i)['bias_aligned'] for i in range(6)]
    with pytest.raises(ValueError, match='bias_alignment entry 0: 3'):
        build(root, 'val', bias_alignment={0: 3})
    with pytest.raises(ValueError, match='train_ann_file=None needs'):
        build(root, 'val', train_ann_file=None)


def test_classes_as_count_names_or_file(folder, tmp_path):
    root, _ = folder
    write(tmp_path / 'bias.txt', 'indoor\noutdoor\nnight\n')
    ds = build(root, classes=3, bias_classes=str(tmp_path / 'bias.txt'))
    assert ds.metainfo['classes'] == ('0', '1', '2')
    assert ds.metainfo['bias_classes'] == ('indoor', 'outdoor', 'night')
    with pytest.raises(ValueError, match='needs classes'):
        build(root, classes=None)
    with pytest.raises(FileNotFoundError, match='bias_classes file'):
        build(root, bias_classes=str(tmp_path / 'nope.txt'))


def test_ties_go_to_the_smallest_bias_label_with_a_warning(tmp_path,
                                                           monkeypatch):
    root, _ = write_biased_folder(tmp_path / 'data', num_classes=2,
                                  num_bias_classes=2,
                                  per_class=dict(train=2, val=1, test=1))
    logged = []
    monkeypatch.setattr('lnl_mm.datasets.biased_image_dataset.print_log',
                        lambda msg, **kw: logged.append(msg))
    ds = build(root, classes=2, bias_classes=2)
    # class 0: one image with bias 0, one with 1; class 1: 1 and 0
    assert ds.metainfo['bias_alignment'] == (0, 0)
    assert any('several most frequent' in m and '[0, 1]' in m
               for m in logged)


def test_a_missing_image_is_named_with_its_line(folder):
    root, images = folder
    import os
    os.remove(osp.join(root, images['val'][4][0]))
    with pytest.raises(FileNotFoundError) as err:
        build(root, 'val')
    message = str(err.value)
    assert 'val.txt: 1 image(s) do not exist' in message
    assert f'line 5: {osp.join(root, images["val"][4][0])}' in message
    assert len(build(root, 'val', check_files=False)) == 6


@pytest.mark.parametrize('line, error', [
    ('images/val/0000.png 0', 'expected 3 whitespace-separated fields'),
    ('images/my cat.png 0 1', 'got 4'),
    ('images/val/0000.png cat 1', "label 'cat' is not an integer"),
    ('images/val/0000.png 0 1.0', "bias_label '1.0' is not an integer"),
    ('images/val/0000.png 3 1', r'label 3 is out of range \[0, 2\]'),
    ('images/val/0000.png 0 -1', r'bias_label -1 is out of range \[0, 2\]'),
])
def test_a_malformed_line_names_file_and_line(folder, line, error):
    root, _ = folder
    ann = osp.join(root, 'meta', 'val.txt')
    with open(ann) as f:
        lines = f.read().splitlines()
    lines[2] = line
    write(ann, '\n\n'.join(lines) + '\n')  # blank lines are skipped
    with pytest.raises(ValueError, match=error) as err:
        build(root, 'val')
    assert f'{ann}, line 5:' in str(err.value)


def test_a_bias_label_never_seen_in_training_is_refused(tmp_path):
    root, _ = write_biased_folder(tmp_path / 'data', num_classes=2,
                                  num_bias_classes=3)

    def set_bias(split, bias_of_line):
        ann = osp.join(root, 'meta', f'{split}.txt')
        with open(ann) as f:
            lines = f.read().splitlines()
        write(ann, ''.join(f'{ln.rsplit(" ", 1)[0]} {bias_of_line(i)}\n'
                           for i, ln in enumerate(lines)))

    set_bias('train', lambda i: i % 2)  # training uses bias labels 0 and 1
    set_bias('test', lambda i: 2 if i == 1 else 0)
    with pytest.raises(ValueError, match='line 2: bias_label 2 never occurs'
                       ) as err:
        build(root, 'test', classes=2)
    assert 'allow_unseen_bias=True' in str(err.value)
    ds = build(root, 'test', classes=2, allow_unseen_bias=True)
    assert ds.get_data_info(1)['bias_label'] == 2
    assert not ds.get_data_info(1)['bias_aligned']


def test_a_class_without_training_images_has_no_alignment(folder):
    root, _ = folder
    train = osp.join(root, 'meta', 'train.txt')
    with open(train) as f:
        kept = [ln for ln in f if ln.split()[1] != '2']
    write(train, ''.join(kept))
    with pytest.raises(ValueError,
                       match=r"class 2 \('fox'\) has no image in the "
                       'training annotation'):
        build(root, 'val')
    ds = build(root, 'val', bias_alignment=[0, 1, 2])
    assert len(ds) == 6


def test_missing_annotation_files_say_what_is_expected(folder):
    root, _ = folder
    with pytest.raises(FileNotFoundError, match='meta/nope.txt.*does not '
                       'exist.*meta/train.txt'):
        build(root, 'nope')
    with pytest.raises(FileNotFoundError, match='train_ann_file'):
        build(root, 'val', train_ann_file='meta/other.txt')
    with pytest.raises(ValueError, match='needs ann_file'):
        BiasedImageDataset(data_root=root, classes=3, bias_classes=3)
