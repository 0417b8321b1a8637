"""spawn_gloo_ranks forgives a rank killed only after every rank marked its
work finished (a torch.distributed teardown crash), and nothing else;
gloo_process_group marks only a rank whose work ended without an
exception."""
import os
import os.path as osp
import time

import pytest
import torch
import torch.distributed as dist
from torch.multiprocessing.spawn import (ProcessExitedException,
                                         ProcessRaisedException)

from dist_testutils import (finished_marker, gloo_process_group,
                            mark_rank_finished, spawn_gloo_ranks)


def wait_for(path, seconds=60):
    deadline = time.monotonic() + seconds
    while not osp.exists(path):
        if time.monotonic() > deadline:
            raise TimeoutError(path)
        time.sleep(0.05)


def abort_after_all_finished(rank, world_size, port, out_dir):
    mark_rank_finished(out_dir, rank)
    if rank == 0:  # as a barrier would: every rank has its marker
        for other in range(world_size):
            wait_for(finished_marker(out_dir, other))
        os.abort()


def abort_before_finishing(rank, world_size, port, out_dir):
    if rank == 0:
        os.abort()
    mark_rank_finished(out_dir, rank)


def raise_after_finishing(rank, world_size, port, out_dir):
    mark_rank_finished(out_dir, rank)
    if rank == 1:
        raise RuntimeError('a failure in the work itself')


def record_environment(rank, world_size, port, out_dir):
    with open(osp.join(out_dir, f'env{rank}'), 'w') as f:
        f.write(f"{os.environ['OMP_NUM_THREADS']} "
                f"{os.environ['LNL_MM_TEST_ONLY']}")
    mark_rank_finished(out_dir, rank)


def sum_ranks_in_group(rank, world_size, port, out_dir):
    with gloo_process_group(rank, world_size, port, out_dir, timeout_s=30):
        total = torch.tensor([rank + 1.0])
        dist.all_reduce(total)
        with open(osp.join(out_dir, f'sum{rank}'), 'w') as f:
            f.write(f'{total.item():g} {torch.get_num_threads()}')


def fail_in_group(rank, world_size, port, out_dir):
    with gloo_process_group(rank, world_size, port, out_dir, timeout_s=30):
        if rank == 1:
            raise RuntimeError('the work of rank 1 failed')


def test_the_group_runs_collectives_and_marks_every_rank(tmp_path):
    spawn_gloo_ranks(sum_ranks_in_group, 2, str(tmp_path), out_dir=tmp_path)
    for rank in (0, 1):
        assert (tmp_path / f'sum{rank}').read_text() == '3 1'
        assert osp.exists(finished_marker(tmp_path, rank))


def test_a_rank_whose_work_raises_is_not_marked(tmp_path):
    # which error surfaces first is a race: rank 1's own, or rank 0's
    # barrier losing its peer
    with pytest.raises(ProcessRaisedException):
        spawn_gloo_ranks(fail_in_group, 2, str(tmp_path),
                         out_dir=tmp_path)
    assert not osp.exists(finished_marker(tmp_path, 1))


def test_a_crash_after_every_rank_finished_is_a_warning(tmp_path):
    with pytest.warns(UserWarning, match='rank 0 was killed by SIGABRT'):
        spawn_gloo_ranks(abort_after_all_finished, 2, str(tmp_path),
                         out_dir=tmp_path)


def test_a_crash_before_a_rank_finished_fails(tmp_path):
    with pytest.raises(ProcessExitedException, match='SIGABRT'):
        spawn_gloo_ranks(abort_before_finishing, 2, str(tmp_path),
                         out_dir=tmp_path)


def test_an_exception_fails_even_after_the_marker(tmp_path):
    with pytest.raises(Exception, match='a failure in the work itself'):
        spawn_gloo_ranks(raise_after_finishing, 2, str(tmp_path),
                         out_dir=tmp_path)


def test_the_environment_is_restored(tmp_path, monkeypatch):
    monkeypatch.delenv('LNL_MM_TEST_ONLY', raising=False)
    monkeypatch.setenv('OMP_NUM_THREADS', '7')
    spawn_gloo_ranks(record_environment, 2, str(tmp_path),
                     out_dir=tmp_path, env=dict(LNL_MM_TEST_ONLY='x'))
    assert os.environ['OMP_NUM_THREADS'] == '7'
    assert 'LNL_MM_TEST_ONLY' not in os.environ
    # the ranks saw the variables
    for rank in (0, 1):
        assert (tmp_path / f'env{rank}').read_text() == '1 x'
