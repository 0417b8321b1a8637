"""tools/train.py and tools/test.py on bad input: one clean message naming
the file or directory and the fix, exit status 1, no traceback, nothing
built or written."""
import os
import subprocess
import sys

import pytest

import lnl_mm  # noqa: F401
from lnl_mm.utils import run_cli
from tool_helpers import REPO, load_tool, subprocess_env, toy_config

train_tool = load_tool('train')
test_tool = load_tool('test')


def cli(main, argv, capsys):
    code = run_cli(main, argv)
    captured = capsys.readouterr()
    return code, captured.err


def test_test_py_refuses_a_text_file_before_building_anything(
        tmp_path, capsys):
    config, _ = toy_config(tmp_path)
    notes = tmp_path / 'notes.pth'
    notes.write_text('my notes about epoch 3\n')
    work_dir = tmp_path / 'test_work'
    code, err = cli(test_tool.main, [config, str(notes), '--work-dir',
                                     str(work_dir)], capsys)
    assert code == 1
    assert err.startswith(f"ERROR: Cannot load the checkpoint '{notes}': "
                          'it is not a PyTorch checkpoint: it is a text file')
    assert 'Traceback' not in err
    assert not work_dir.exists()  # no Runner, no log folder, no work dir


def test_train_py_refuses_an_unwritable_work_dir(tmp_path, capsys):
    config, _ = toy_config(tmp_path)
    blocker = tmp_path / 'a_file'
    blocker.write_text('x')
    code, err = cli(train_tool.main,
                    [config, '--work-dir', str(blocker / 'work')], capsys)
    assert code == 1
    assert f"Cannot write to the work dir '{blocker / 'work'}'" in err
    assert 'Not a directory' in err and '--work-dir' in err
    assert blocker.read_text() == 'x'


def test_train_py_resume_with_a_dangling_pointer(tmp_path, capsys):
    config, work_dir = toy_config(tmp_path)
    os.makedirs(work_dir)
    with open(os.path.join(work_dir, 'last_checkpoint'), 'w') as f:
        f.write(os.path.join(work_dir, 'epoch_3.pth'))
    code, err = cli(train_tool.main, [config, '--resume'], capsys)
    assert code == 1 and 'epoch_3.pth' in err and 'does not exist' in err
    assert sorted(os.listdir(work_dir)) == ['last_checkpoint']


def test_other_errors_keep_their_traceback(tmp_path):
    def buggy(argv):
        raise KeyError('a bug')

    with pytest.raises(KeyError):
        run_cli(buggy, [])


def test_the_script_exits_1_without_traceback(tmp_path):
    config, _ = toy_config(tmp_path)
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    proc = subprocess.run(
        [sys.executable, 'tools/test.py', config, str(empty), '--work-dir',
         str(tmp_path / 'w')],
        cwd=REPO, env=subprocess_env(), capture_output=True, text=True,
        timeout=120)
    assert proc.returncode == 1
    assert 'is empty (0 bytes)' in proc.stderr
    assert 'Traceback' not in proc.stdout + proc.stderr


@pytest.mark.parametrize('option, expected', [
    ('train_dataloader.dataset.colour_var=0.05',
     "ERROR: train_dataloader.dataset: ColoredMNIST has no option "
     "'colour_var' (did you mean 'color_var'?). Its options: data_root, "),
    ('val_dataloader.dataset.source=smaple',
     "ERROR: val_dataloader.dataset (ColoredMNIST): source='smaple' is "
     "unknown; use one of 'auto', 'idx', 'fashion_mnist', 'kmnist', "
     "'lntl_npy', 'sample'."),
    ('train_dataloader.dataset.color_var=-1',
     'ERROR: train_dataloader.dataset (ColoredMNIST): color_var=-1.0 is '
     'not a positive finite number.'),
    ('default_hooks.non_finite.policy=ignore',
     "ERROR: NonFiniteLossHook: policy='ignore' must be one of"),
    ('default_hooks.resume_check.allow_change=True',
     "ERROR: default_hooks.resume_check: ResumeCheckHook has no option "
     "'allow_change' (did you mean 'allow_changes'?)."),
    ('default_hooks.logger.intervall=5',  # one of MMEngine's hooks
     "ERROR: default_hooks.logger: LoggerHook has no option 'intervall' "
     "(did you mean 'interval'?)."),
])
def test_train_py_names_a_wrong_dataset_or_hook_option_before_writing(
        tmp_path, capsys, option, expected):
    work_dir = tmp_path / 'work'
    code, err = cli(train_tool.main, [
        os.path.join(REPO, 'configs', 'baseline_cmnist.py'), '--work-dir',
        str(work_dir), '--cfg-options', option
    ], capsys)
    assert code == 1
    assert err.startswith(expected), err
    assert 'Traceback' not in err
    assert not work_dir.exists()  # no Runner, no log folder, no config dump


def test_test_py_checks_the_test_dataset_only(tmp_path, capsys):
    config, _ = toy_config(tmp_path)
    work_dir = tmp_path / 'test_work'
    checkpoint = tmp_path / 'missing.pth'
    base = [os.path.join(REPO, 'configs', 'baseline_cmnist.py'),
            str(checkpoint), '--work-dir', str(work_dir), '--cfg-options']
    # a wrong training option does not concern testing: the checkpoint
    # check speaks; a wrong test option is named first
    code, err = cli(test_tool.main,
                    base + ['train_dataloader.dataset.colour_var=1'], capsys)
    assert code == 1 and 'does not exist' in err
    code, err = cli(test_tool.main,
                    base + ['test_dataloader.dataset.split=tset'], capsys)
    assert code == 1
    assert err.startswith("ERROR: test_dataloader.dataset (ColoredMNIST): "
                          "split='tset' is unknown"), err
    assert not work_dir.exists()


def test_config_mistakes_stop_both_tools_before_anything_is_written(
        tmp_path, capsys):
    config = os.path.join(REPO, 'configs', 'lnl_cmnist.py')
    work_dir = tmp_path / 'work'
    code, err = cli(train_tool.main, [
        config, '--work-dir', str(work_dir), '--cfg-options',
        'model.bias_head.num_bins=3'
    ], capsys)
    assert code == 1
    assert err.splitlines()[-1] == (
        'ERROR: model.bias_head.num_bins=3, but train_dataloader.dataset '
        '(ColoredMNIST) makes colour targets with num_color_bins=8 bins per '
        'channel; set model.bias_head.num_bins=8, or num_color_bins=3 in '
        "every dataloader's dataset.")
    assert 'Traceback' not in err
    assert not work_dir.exists()
    # test.py: the same check against the test split, before the checkpoint
    code, err = cli(test_tool.main, [
        config, str(tmp_path / 'missing.pth'), '--work-dir', str(work_dir),
        '--cfg-options', 'model.head.num_classes=5'
    ], capsys)
    assert code == 1
    assert err.splitlines()[-1].startswith(
        'ERROR: model.head.num_classes=5, but test_dataloader.dataset '
        '(ColoredMNIST) has 10 classes')
    assert not work_dir.exists()


def test_check_only_writes_nothing(tmp_path, capsys):
    config, work_dir = toy_config(tmp_path)
    code, err = cli(train_tool.main, [config, '--check-only'], capsys)
    assert code == 0 and not os.path.exists(work_dir)
    code, err = cli(train_tool.main, [
        config, '--check-only', '--cfg-options', 'train_dataloader.batch_size'
        '=0'], capsys)
    assert code == 1 and err.startswith(
        'ERROR: train_dataloader.batch_size=0 must be an integer >= 1')
    assert not os.path.exists(work_dir)


def test_dist_train_reports_a_config_mistake_once(tmp_path):
    """dist_train.sh checks the config before torchrun starts: one ERROR
    line, no per-process copies, no torchrun failure report."""
    config, work_dir = toy_config(tmp_path)
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', config, '2', '--cfg-options',
         'train_dataloader.batch_size=0'],
        cwd=REPO, env=subprocess_env(), capture_output=True, text=True,
        timeout=180)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1
    errors = [line for line in output.splitlines()
              if line.startswith('ERROR')]
    assert errors == ['ERROR: train_dataloader.batch_size=0 must be an '
                      'integer >= 1 (samples per batch and process; the '
                      'recipes use 128).']
    assert 'Traceback' not in output and 'ChildFailedError' not in output
    assert not os.path.exists(work_dir)
