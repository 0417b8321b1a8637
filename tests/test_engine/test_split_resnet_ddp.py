"""LNTL on SplitResNet with the per-image bias head under
LNTLDistributedDataParallel: 2 gloo ranks x 4 images with SyncBN equal one
process x 8 images in float64.

Unlike the per-pixel head (test_lntl_ddp.py), every loss here is a mean over
images, so with equal per-rank batches DDP's average of per-rank gradients
is the gradient of the global batch, and SyncBN normalises with the global
statistics: nothing but float rounding may differ.
"""

import torch

from dist_testutils import spawn_gloo_ranks
import split_resnet_ddp_worker as worker

FP64_ATOL = 1e-9


def test_two_ranks_equal_one_process_with_the_global_batch(tmp_path):
    spawn_gloo_ranks(worker.run_worker, worker.WORLD_SIZE, str(tmp_path),
                     out_dir=tmp_path)
    ranks = [torch.load(tmp_path / f'rank{r}.pt', weights_only=False)
             for r in range(worker.WORLD_SIZE)]
    rank0, rank1, single = ranks[0]['ddp'], ranks[1]['ddp'], ranks[0][
        'single']
    assert rank0.keys() == rank1.keys() == single.keys()
    assert any('bias_head' in k for k in single)
    assert any(k.endswith('running_var') for k in single)
    initial = worker.build_model('BN').state_dict()
    for name, value in single.items():
        assert torch.equal(rank0[name], rank1[name]), name
        if value.dtype.is_floating_point:
            torch.testing.assert_close(rank0[name], value, atol=FP64_ATOL,
                                       rtol=0, msg=name)
        else:  # num_batches_tracked
            assert torch.equal(rank0[name], value), name
    # training moved f, g and h (the comparison is not between two
    # untouched models)
    for name in ('backbone.resnet.conv1.weight',
                 'backbone.resnet.layer4.1.conv1.weight', 'head.fc.weight',
                 'bias_head.fc.weight'):
        assert (single[name] - initial[name]).abs().max() > 1e-6, name
