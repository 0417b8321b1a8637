"""check_config, the tools' checks of a whole config before anything is
built: each mistake is one ConfigError naming the config field(s), both
values where two disagree, and the fix; good configs pass; nothing is
read or written."""
import argparse
import os
import os.path as osp
import sys

import pytest
from mmengine.config import Config, DictAction

import lnl_mm  # noqa: F401
from lnl_mm.utils import (ConfigError, DataFileNotFoundError, check_config,
                          check_int, check_number, finalize_dataloaders)
from lnl_mm.utils import preflight

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
sys.path.insert(0, osp.join(REPO, 'tests', 'test_utils'))
from biased_folder_testutils import write_biased_folder  # noqa: E402

TRAIN = ('train_dataloader', 'val_dataloader')


def load(config, *options, root=None):
    """The config as the tools see it after ``--cfg-options options``."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', config))
    if root is not None:
        options += tuple(f'{split}_dataloader.dataset.data_root={root}'
                         for split in ('train', 'val', 'test'))
    if options:
        parser = argparse.ArgumentParser()
        parser.add_argument('--cfg-options', nargs='+', action=DictAction)
        cfg.merge_from_dict(parser.parse_args(
            ['--cfg-options', *options]).cfg_options)
    return finalize_dataloaders(cfg)


def refusal(cfg, fields=TRAIN, training=True):
    with pytest.raises(ConfigError) as info:
        check_config(cfg, fields, training)
    message = str(info.value)
    assert '\n' not in message
    return message


# the trials of the issue, and their neighbours --------------------------
CMNIST_TRIALS = [
    ('lnl_cmnist.py', 'model.bias_steps=0',
     'model.bias_steps=0 must be an integer >= 1 (updates of h per '
     'iteration; the paper updates it once).'),
    ('lnl_cmnist.py', 'model.entropy_weight=nan',
     'model.entropy_weight=nan must be a finite number >= 0 (lambda, the '
     "weight of the bias head's uncertainty loss; the paper uses 0.01)."),
    ('lnl_cmnist.py', 'model.head.num_classes=5',
     'model.head.num_classes=5, but train_dataloader.dataset (ColoredMNIST)'
     ' has 10 classes (labels 0..9); set model.head.num_classes=10.'),
    ('lnl_cmnist.py', 'model.bias_head.num_bins=3',
     'model.bias_head.num_bins=3, but train_dataloader.dataset '
     '(ColoredMNIST) makes colour targets with num_color_bins=8 bins per '
     'channel; set model.bias_head.num_bins=8, or num_color_bins=3 in every '
     "dataloader's dataset."),
    ('lnl_cmnist.py', 'train_dataloader.batch_size=0',
     'train_dataloader.batch_size=0 must be an integer >= 1 (samples per '
     'batch and process; the recipes use 128).'),
    ('lnl_cmnist.py', 'optim_wrapper.main.optimizer.lr=-1',
     'optim_wrapper.main.optimizer.lr=-1 must be a finite number >= 0 (the '
     'learning rate; the recipes use 0.01).'),
    ('baseline_cmnist.py', 'optim_wrapper.optimizer.lr=-1',
     'optim_wrapper.optimizer.lr=-1 must be a finite number >= 0 (the '
     'learning rate; the recipes use 0.01).'),
    ('baseline_cmnist.py', 'model.head.num_classes=5',
     'model.head.num_classes=5, but train_dataloader.dataset (ColoredMNIST)'
     ' has 10 classes (labels 0..9); set model.head.num_classes=10.'),
    ('lnl_cmnist.py', 'model.bias_head.ignore_index=254',
     'model.bias_head.ignore_index=254, but train_dataloader.dataset '
     '(ColoredMNIST) marks the background pixels, which the head must not '
     'score, with color_ignore_index=255; set '
     'model.bias_head.ignore_index=255.'),
    ('lnl_cmnist.py', 'val_dataloader.dataset.num_color_bins=4',
     'model.bias_head.num_bins=8, but val_dataloader.dataset (ColoredMNIST)'
     ' makes colour targets with num_color_bins=4 bins per channel'),
    ('lnl_cmnist_image_bias.py', 'model.bias_head.num_classes=5',
     'model.bias_head.num_classes=5, but train_dataloader.dataset '
     '(ColoredMNIST) has 10 bias classes (bias_label is the index of one of '
     'its 10 palette colours); set model.bias_head.num_classes=10.'),
    ('lnl_cmnist.py', 'model.backbone.in_channels=1',
     'model.backbone.in_channels=1, but the images of '
     'train_dataloader.dataset (ColoredMNIST) reach the backbone with 3 '
     'channels; set model.backbone.in_channels=3'),
    ('lnl_cmnist.py', 'model.bias_neck.mu=-1',
     'model.bias_neck.mu=-1 must be a finite number >= 0'),
    ('lnl_cmnist.py', 'model.bias_head.num_bin=3',
     "model.bias_head: BiasPredictionHead has no option 'num_bin' (did you "
     "mean 'num_bins'?)."),
    ('lnl_cmnist.py', 'model.bias_head.in_channels=16',
     'model.bias_head.in_channels=16, but the backbone (LNTLConvNet) feeds '
     'it 32 channels; set model.bias_head.in_channels=32'),
    ('lnl_cmnist.py', 'train_dataloader.dataset.pipeline.0.algorithm_keys='
     '[bias_label]', "model.bias_head learns 'color_target', but the "
     'PackInputs of train_dataloader.dataset.pipeline does not pack it'),
    ('lnl_cmnist.py', 'optim_wrapper.bias.optimizer.momentum=1.5',
     'optim_wrapper.bias.optimizer.momentum=1.5 must be a finite number in '
     '[0, 1] (the recipes use 0.9).'),
    ('lnl_cmnist.py', 'optim_wrapper.main.optimizer.lrr=0.1',
     "optim_wrapper.main.optimizer: SGD has no option 'lrr' (did you mean "
     "'lr'?)."),
    ('lnl_cmnist.py', 'optim_wrapper.main.optimizer.nesterov=True '
     'optim_wrapper.main.optimizer.momentum=0',
     'optim_wrapper.main.optimizer (SGD): Nesterov momentum requires a '
     'momentum and zero dampening'),
    ('lnl_cmnist.py', 'optim_wrapper.bias_modules=[h]',
     'optim_wrapper (LNTLOptimWrapperConstructor): the model '
     "(LNTLClassifier) has no child module(s) ['h'] to give to the \"bias\" "
     'optimizer'),
    ('lnl_cmnist.py', 'train_cfg.max_epochs=0',
     'train_cfg.max_epochs=0 must be an integer >= 1.'),
    ('lnl_cmnist.py', 'val_dataloader.num_workers=-2',
     'val_dataloader.num_workers=-2 must be an integer >= 0'),
    ('gray_cmnist.py', 'data_preprocessor.std=[1.0,1.0]',
     'data_preprocessor.mean has 3 values and data_preprocessor.std 2; '
     'give both one value per image channel.'),
]


@pytest.mark.parametrize('config,options,expected', CMNIST_TRIALS,
                         ids=[t[1] for t in CMNIST_TRIALS])
def test_each_mistake_is_one_message_naming_the_field(config, options,
                                                      expected):
    cfg = load(config, *options.split())
    assert refusal(cfg).startswith(expected)


def test_a_sub_config_is_named_by_its_path(folder):
    cfg = load('lntl_resnet18_custom.py', 'model.backbone.resnet.depth=19',
               root=folder)
    assert refusal(cfg) == ('model.backbone.resnet (ResNet): invalid depth '
                            '19 for resnet')
    # the split changes f's channels: the LNTLClassifier's own check, with
    # ResNet built on the CPU (its constructor computes with tensors)
    cfg = load('lntl_resnet18_custom.py', 'model.backbone.f_stages=3',
               root=folder)
    assert refusal(cfg).startswith(
        'model.bias_head.in_channels=128, but the backbone (SplitResNet) '
        'feeds it 256 channels; set model.bias_head.in_channels=256')


def test_test_runs_check_the_test_data_and_not_the_optimizers():
    cfg = load('lnl_cmnist.py', 'model.bias_head.num_bins=3',
               'optim_wrapper.main.optimizer.lr=-1')
    assert refusal(cfg, ('test_dataloader', ), training=False).startswith(
        'model.bias_head.num_bins=3, but test_dataloader.dataset')
    cfg = load('lnl_cmnist.py', 'optim_wrapper.main.optimizer.lr=-1',
               'train_dataloader.batch_size=0', 'train_cfg.max_epochs=0')
    check_config(cfg, ('test_dataloader', ), training=False)


def test_lntl_needs_its_two_optimizers():
    cfg = load('lnl_cmnist.py')
    cfg.optim_wrapper = dict(type='OptimWrapper',
                             optimizer=dict(type='SGD', lr=0.01))
    assert refusal(cfg).startswith(
        'model (LNTLClassifier) trains with two optimizers, "main" for f+g '
        "and \"bias\" for h, but optim_wrapper has ['optimizer', 'type']. "
        'Configure optim_wrapper=dict('
        "constructor='LNTLOptimWrapperConstructor'")


def test_betas_and_accumulation():
    cfg = load('baseline_cmnist.py')
    cfg.optim_wrapper = dict(type='OptimWrapper', accumulative_counts=0,
                             optimizer=dict(type='Adam', lr=1e-3,
                                            betas=(0.9, 0.999)))
    assert refusal(cfg).startswith(
        'optim_wrapper.accumulative_counts=0 must be an integer >= 1')
    cfg.optim_wrapper.accumulative_counts = 2
    check_config(cfg)
    cfg.optim_wrapper.optimizer.betas = (0.9, 1.5)
    assert refusal(cfg).startswith('optim_wrapper.optimizer.betas[1]=1.5 '
                                   'must be a finite number in [0, 1]')


def test_grey_images_against_the_backbone_and_the_normalisation():
    gray = 'train_dataloader.dataset.pipeline.0.num_channels=1'
    # one grey channel is broadcast to the three means: the network runs
    check_config(load('gray_cmnist.py', gray))
    one_value = ('data_preprocessor.mean=[120.0]', 'data_preprocessor.std='
                 '[50.0]')
    assert refusal(load('gray_cmnist.py', gray, *one_value)).startswith(
        'model.backbone.in_channels=3, but the images of '
        'train_dataloader.dataset (ColoredMNIST) reach the backbone with 1 '
        'channels; set model.backbone.in_channels=1')
    check_config(load('gray_cmnist.py', gray, *one_value,
                      'model.backbone.in_channels=1'),
                 ('train_dataloader', ))
    # colour images and two means do not fit together
    assert refusal(load('baseline_cmnist.py', 'data_preprocessor.mean=[1,2]',
                        'data_preprocessor.std=[1,2]')).startswith(
        'data_preprocessor.mean has 2 values, but the images of '
        'train_dataloader.dataset (ColoredMNIST) have 3 channels')


# the generic folder configs ---------------------------------------------
@pytest.fixture(scope='module')
def folder(tmp_path_factory):
    root, _ = write_biased_folder(tmp_path_factory.mktemp('folder') / 'd',
                                  num_classes=2, num_bias_classes=2,
                                  per_class=dict(train=3, val=1, test=1),
                                  size=(8, 8))
    return root


def test_folder_config_passes_and_compares_classes(folder):
    check_config(load('lntl_resnet18_custom.py', root=folder))
    check_config(load('baseline_resnet18_custom.py', root=folder))
    cfg = load('lntl_resnet18_custom.py', 'model.head.num_classes=3',
               root=folder)
    assert refusal(cfg) == (
        'model.head.num_classes=3, but train_dataloader.dataset.classes=2 '
        '(BiasedImageDataset: 2 classes, labels 0..1); set '
        "model.head.num_classes=2, or the dataset's classes in every "
        'dataloader if the data has 3 classes.')
    cfg = load('lntl_resnet18_custom.py', 'model.bias_head.num_classes=3',
               root=folder)
    assert refusal(cfg) == (
        'model.bias_head.num_classes=3, but train_dataloader.dataset '
        '(BiasedImageDataset) has 2 bias classes (bias_classes, bias labels '
        "0..1); set model.bias_head.num_classes=2, or the dataset's "
        'bias_classes=3 in every dataloader if the data has that many.')


def test_the_annotation_is_scanned_against_the_classes(tmp_path, folder,
                                                       monkeypatch):
    import shutil
    root = tmp_path / 'copy'
    shutil.copytree(folder, root)
    with open(root / 'meta' / 'val.txt', 'a') as f:
        f.write('images/val/0000.png 2 0\n')
    lines = len((root / 'meta' / 'val.txt').read_text().splitlines())
    cfg = load('lntl_resnet18_custom.py', root=root)
    assert refusal(cfg) == (
        f'val_dataloader.dataset (BiasedImageDataset): {root}/meta/val.txt, '
        f'line {lines}: label 2 is out of range [0, 1]. Fix the line, or '
        "list every class in the dataset's classes (it has 2 entries).")
    # files above the scan limit are left to the dataset's own load
    monkeypatch.setattr(preflight, 'ANNOTATION_SCAN_MAX_BYTES', 10)
    check_config(cfg)


# data_root: a file, a folder that cannot be read, the wrong folder -----
FOLDER_FIX = ('Set data_root to the folder that holds the annotation files '
              'meta/train.txt, meta/val.txt and meta/test.txt (one line '
              "'relative/path.png <label> <bias_label>' per image) and the "
              'images they list')


def test_missing_annotations_are_refused_before_anything_is_read(tmp_path):
    cfg = load('lntl_resnet18_custom.py', root=tmp_path / 'nothing')
    with pytest.raises(DataFileNotFoundError) as info:
        check_config(cfg)
    assert str(info.value) == (
        'train_dataloader.dataset (BiasedImageDataset): '
        "ann_file='meta/train.txt': the annotation file "
        f"'{tmp_path}/nothing/meta/train.txt' does not exist; "
        f"data_root='{tmp_path}/nothing' does not exist. {FOLDER_FIX}, or "
        'set ann_file.')
    assert not (tmp_path / 'nothing').exists()
    # the config alone passes
    check_config(cfg, data_files=False)


def test_folder_data_root_of_images_says_what_it_holds(tmp_path, folder):
    images = osp.join(folder, 'images', 'train')
    with pytest.raises(DataFileNotFoundError) as info:
        check_config(load('lntl_resnet18_custom.py', root=images))
    message = str(info.value)
    assert message.startswith(
        'train_dataloader.dataset (BiasedImageDataset): '
        f"ann_file='meta/train.txt': the annotation file '{images}/meta/"
        f"train.txt' does not exist; data_root='{images}' holds 6 PNG "
        'images: 0000.png, ')
    assert '\n' not in message and message.endswith(', or set ann_file.')


def test_folder_data_root_that_is_a_file(tmp_path):
    path = tmp_path / 'a_file.txt'
    path.write_text('x\n')
    message = refusal(load('lntl_resnet18_custom.py', root=path))
    assert message == (
        'train_dataloader.dataset (BiasedImageDataset): '
        f"data_root='{path}' is a file, not a folder. {FOLDER_FIX}.")


def test_colored_mnist_idx_files_missing_without_download(tmp_path):
    cfg = load('baseline_cmnist.py', 'train_dataloader.dataset.source=idx',
               'train_dataloader.dataset.download=False',
               f'train_dataloader.dataset.data_root={tmp_path}')
    with pytest.raises(DataFileNotFoundError) as info:
        check_config(cfg)
    message = str(info.value)
    assert message.startswith('train_dataloader.dataset (ColoredMNIST): '
                              'MNIST IDX files missing in')
    assert f"data_root='{tmp_path}' is empty." in message
    assert 'Get them with download=True' in message
    assert not os.listdir(tmp_path)
    # with download=True the download happens when the data is loaded
    cfg.train_dataloader.dataset.download = True
    check_config(cfg)
    assert not os.listdir(tmp_path)


def test_train_py_stops_on_a_bad_data_root_before_writing(tmp_path):
    import subprocess
    path = tmp_path / 'a_file.txt'
    path.write_text('x\n')
    work_dir = tmp_path / 'work'
    proc = subprocess.run(
        [sys.executable, 'tools/train.py',
         'configs/lntl_resnet18_custom.py', '--work-dir', str(work_dir),
         '--cfg-options', *(f'{split}_dataloader.dataset.data_root={path}'
                            for split in ('train', 'val', 'test'))],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1'))
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert 'Traceback' not in proc.stderr
    errors = [line for line in proc.stderr.splitlines()
              if line.startswith('ERROR: ')]
    assert errors == [
        'ERROR: train_dataloader.dataset (BiasedImageDataset): '
        f"data_root='{path}' is a file, not a folder. {FOLDER_FIX}."]
    assert not work_dir.exists()


def test_a_colour_head_needs_colour_targets(folder):
    cfg = load('lntl_resnet18_custom.py', root=folder)
    cfg.model.bias_head = dict(type='BiasPredictionHead', in_channels=128)
    assert refusal(cfg).startswith(
        "model.bias_head (BiasPredictionHead) learns per-pixel colour targets"
        " ('color_target'), which train_dataloader.dataset "
        '(BiasedImageDataset) does not make (ColoredMNIST does); use a '
        'BiasClassificationHead')


# what the checks leave alone --------------------------------------------
def test_models_that_cannot_be_checked_are_left_to_the_runner():
    cfg = load('baseline_cmnist.py')
    cfg.model = dict(type='NoSuchClassifier')
    check_config(cfg)
    # a constructor that fails for another reason than its arguments
    from mmpretrain.registry import MODELS

    @MODELS.register_module(force=True)
    class NeedsAResource:
        def __init__(self, **kwargs):
            raise RuntimeError('no GPU here')

    cfg.model = dict(type='NeedsAResource')
    check_config(cfg)


def test_the_model_check_alone_resolves_the_config_scope():
    from mmengine.registry import DefaultScope
    cfg = load('lnl_cmnist.py')
    DefaultScope.get_instance('another_scope', scope_name='mmengine')
    model = preflight.check_model_cfg(cfg)
    assert type(model).__name__ == 'LNTLClassifier'


def test_weights_are_neither_initialised_nor_loaded(tmp_path, folder):
    cfg = load('lntl_resnet18_custom.py', root=folder)
    cfg.model.backbone.resnet.init_cfg = dict(
        type='Pretrained', checkpoint=str(tmp_path / 'missing.pth'))
    check_config(cfg)
    model = preflight.check_model_cfg(load('lnl_cmnist.py'))
    assert {p.device.type for p in model.parameters()} == {'meta'}


def test_value_checks():
    assert check_int('n', 3, low=1) == 3
    assert check_number('x', 0, low=0) == 0.0
    for bad in (True, 1.5, '2', 0):
        with pytest.raises(ValueError, match=r'^n=.* must be an integer >= '
                           r'1 \(a count\)\.$'):
            check_int('n', bad, low=1, hint='a count')
    with pytest.raises(ConfigError, match=r'^O: x=0 must be a finite number'
                       r' > 0\.$'):
        check_number('x', 0, low=0, low_open=True, owner='O',
                     error=ConfigError)
    with pytest.raises(ValueError, match=r'in \[0, 4\]'):
        check_int('f_stages', 5, 0, 4)
