"""Reading checkpoints: every file that is not a readable checkpoint is
refused with a message naming the file and what is wrong with it, through
MMEngine's own loader (once lnl_mm has replaced its local-file scheme)."""
import collections
import os
import pickle
import shutil

import pytest
import torch
from mmengine.runner.checkpoint import CheckpointLoader, _load_checkpoint

import lnl_mm  # noqa: F401
from lnl_mm.utils import (CheckpointError, UntrustedCheckpointError,
                          check_checkpoint_file, check_last_checkpoint,
                          read_checkpoint, register_checkpoint_loader)

# what CheckpointCheckHook and lnl_mm's tools do before a Runner loads
register_checkpoint_loader()


@pytest.fixture
def good(tmp_path):
    path = str(tmp_path / 'good.pth')
    torch.save(
        dict(meta=dict(epoch=1), state_dict=dict(w=torch.ones(2, 3))), path)
    return path


def bad_files(tmp_path, good):
    """(name, path, expected words in the message)."""
    files = []

    def add(name, expected, write=None):
        path = str(tmp_path / name)
        if write is not None:
            write(path)
        files.append((name, path, expected))

    add('notes.pth', ['text file', 'my notes'],
        lambda p: open(p, 'w').write('my notes about epoch 3\n'))
    add('empty.pth', ['empty (0 bytes)'], lambda p: open(p, 'wb').close())
    data = open(good, 'rb').read()
    add('truncated.pth', ['truncated', 'no central directory'],
        lambda p: open(p, 'wb').write(data[:len(data) // 2]))
    add('folder.pth', ['is a directory', 'good.pth'],
        lambda p: (os.mkdir(p), shutil.copy(good, os.path.join(p,
                                                               'good.pth'))))
    add('missing.pth', ['does not exist'])
    add('binary.pth', ['starts with the bytes'],
        lambda p: open(p, 'wb').write(b'\x00\x01\x02garbage'))
    add('list.pth', ['holds a list'], lambda p: torch.save([1, 2], p))
    add('no_weights.pth', ["neither a 'state_dict' nor tensors", "'foo'"],
        lambda p: torch.save({'foo': 1}, p))
    add('empty_state.pth', ['holds no tensors'],
        lambda p: torch.save({'state_dict': {}}, p))
    add('pickle.pth', ['cannot be unpickled', 'plain pickle'],
        lambda p: pickle.dump({'a': 1}, open(p, 'wb'), protocol=4))
    return files


def test_bad_files_are_refused_naming_file_and_problem(tmp_path, good):
    for name, path, expected in bad_files(tmp_path, good):
        with pytest.raises(CheckpointError) as info:
            read_checkpoint(path)
        message = str(info.value)
        assert path in message, name
        for words in expected:
            assert words in message, (name, message)
        # MMEngine's loader (used by resume, load_from and testing) is ours
        with pytest.raises(CheckpointError, match='Cannot load'):
            _load_checkpoint(path, map_location='cpu')


def test_cheap_file_check_catches_the_file_level_problems(tmp_path, good):
    check_checkpoint_file(good)  # a good file passes
    caught = {'notes.pth', 'empty.pth', 'truncated.pth', 'folder.pth',
              'missing.pth', 'binary.pth'}
    for name, path, _ in bad_files(tmp_path, good):
        if name in caught:
            with pytest.raises(CheckpointError, match=name):
                check_checkpoint_file(path)
        else:  # needs unpickling: left to read_checkpoint
            check_checkpoint_file(path)


def test_good_checkpoints_and_plain_state_dicts_load(tmp_path, good):
    assert torch.equal(read_checkpoint(good)['state_dict']['w'],
                       torch.ones(2, 3))
    plain = str(tmp_path / 'plain.pth')
    torch.save(collections.OrderedDict(w=torch.zeros(1)), plain)
    assert list(read_checkpoint(plain)) == ['w']
    legacy = str(tmp_path / 'legacy.pth')
    torch.save({'state_dict': {'w': torch.zeros(1)}}, legacy,
               _use_new_zipfile_serialization=False)
    assert 'state_dict' in read_checkpoint(legacy)
    assert CheckpointLoader._get_checkpoint_loader(good).__module__ == \
        'lnl_mm.utils.checkpoint_io'


class _Evil:

    def __reduce__(self):
        return os.system, ('echo pwned', )


def test_untrusted_global_is_still_reported_as_untrusted(tmp_path):
    evil = str(tmp_path / 'evil.pth')
    torch.save(dict(state_dict={}, meta=_Evil()), evil)
    with pytest.raises(UntrustedCheckpointError, match='system') as info:
        read_checkpoint(evil)
    assert evil in str(info.value)


def test_last_checkpoint_pointer(tmp_path, good):
    work = tmp_path / 'work'
    work.mkdir()
    assert check_last_checkpoint(str(work)) is None  # nothing to resume
    pointer = work / 'last_checkpoint'
    pointer.write_text(good)
    assert check_last_checkpoint(str(work)) == good
    (work / 'epoch_1.pth').write_bytes(b'')
    pointer.write_text(str(work / 'epoch_9.pth'))
    with pytest.raises(CheckpointError) as info:
        check_last_checkpoint(str(work))
    assert 'epoch_9.pth' in str(info.value) and 'does not exist' in str(
        info.value) and 'epoch_1.pth' in str(info.value)
    pointer.write_text('')
    with pytest.raises(CheckpointError, match='is empty'):
        check_last_checkpoint(str(work))
