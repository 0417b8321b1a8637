"""Copy the per-epoch validation accuracy of the runs behind
``unlearning_start/`` and ``h_lr_and_steps/`` from their work dirs into
those folders (``<name>_val.csv``, from each run's ``vis_data/scalars.json``),
with their test metrics (``<name>_test.json``, a run's
``test_metrics.json``) or sweep result (``<name>_result.json``).

    python benchmarks/full_scale/collect_val_curves.py [RUNS]

RUNS (default ``~/runs``) holds the work roots of ``commands.sh``.
"""
import csv
import os.path as osp
import shutil
import sys

HERE = osp.dirname(osp.abspath(__file__))
sys.path.insert(
    0, osp.join(osp.dirname(osp.dirname(HERE)), 'tools', 'analysis'))
from summarize_sweep import val_entries  # noqa: E402

GRID = 'lntl_2stage__model.entropy_weight=0.1+model.bias_neck.mu=1.0'
HLR = '+optim_wrapper.bias.optimizer.lr=0.01'
STEPS = '+model.bias_steps=3'


def sweep_run(root: str, method: str, seed: int) -> str:
    """The training work dir of a sweep run under the work root ``root``."""
    return f'{root}/runs/{method}/cv0.020/seed{seed}/train'


#: output name -> (folder here, work dir relative to RUNS)
RUNS = {
    **{
        f'one_h_step_seed{seed}': ('unlearning_start', sweep_run(
            'one_run_cv020', 'lntl_one_h_step', seed))
        for seed in (1, 2)
    },
    'reset_h_only_seed1': ('unlearning_start', 'unlearning_start/h_only'),
    'reset_momentum_only_seed1': ('unlearning_start',
                                  'unlearning_start/momentum_only'),
    **{
        f'redraw_seed{seed}_draw{draw}': (
            'unlearning_start', f'unlearning_start/seed{seed}_draw{draw}')
        for seed, draw in ((2, 102), (2, 202), (1, 101))
    },
    'two_stage_seed3': ('h_lr_and_steps', sweep_run(
        'search_lambda_mu_cv020', GRID, 3)),
    **{
        f'two_stage_hlr0.01_seed{seed}': ('h_lr_and_steps', sweep_run(
            'two_stage_h_lr_steps', GRID + HLR, seed))
        for seed in (0, 1, 2, 3)
    },
    **{
        f'two_stage_hlr0.01_bias_steps3_seed{seed}': (
            'h_lr_and_steps',
            sweep_run('two_stage_h_lr_steps', GRID + HLR + STEPS, seed))
        for seed in (1, 2, 3)
    },
    **{
        f'two_stage_bias_steps3_seed{seed}': ('h_lr_and_steps', sweep_run(
            'two_stage_h_lr_steps', GRID + STEPS, seed))
        for seed in (0, 1, 2, 3)
    },
    'one_run_hlr0.01_seed3': ('h_lr_and_steps', sweep_run(
        'one_run_h_lr', 'lntl_one_h_step__optim_wrapper.bias.optimizer.lr=0.1',
        3)),
    **{
        f'one_run_bias_steps3_seed{seed}': ('h_lr_and_steps', sweep_run(
            'one_run_cv020', 'lntl_20e', seed))
        for seed in (0, 1, 2, 3)
    },
}


def val_rows(work_dir):
    """(epoch, top-1, conflicting, h accuracy) of every validated epoch; a
    resumed run's later launch wins for an epoch logged twice."""
    by_epoch = {
        entry['step']: (entry['step'], entry['accuracy/top1'],
                        entry.get('accuracy/conflicting'),
                        entry.get('accuracy/bias_head'))
        for entry in val_entries(work_dir) if 'accuracy/top1' in entry
    }
    return [by_epoch[epoch] for epoch in sorted(by_epoch)]


def main(runs_dir):
    for name, (folder, sub) in RUNS.items():
        out = osp.join(HERE, folder)
        work_dir = osp.join(runs_dir, sub)
        if not osp.isdir(work_dir):
            print(name, 'not started:', work_dir)
            continue
        rows = val_rows(work_dir)
        with open(osp.join(out, f'{name}_val.csv'), 'w', newline='') as f:
            writer = csv.writer(f)
            writer.writerow(
                ['epoch', 'val_top1', 'val_conflicting', 'val_bias_head'])
            writer.writerows(rows)
        test = osp.join(work_dir, 'test_metrics.json')
        if osp.exists(test):
            shutil.copyfile(test, osp.join(out, f'{name}_test.json'))
        # a sweep run writes its result (test metrics at the val-selected
        # checkpoint) beside its train/ folder
        result = osp.join(osp.dirname(work_dir), 'result.json')
        if osp.exists(result):
            shutil.copyfile(result, osp.join(out, f'{name}_result.json'))
        print(name, 'last epochs with val:', [r[0] for r in rows][-3:])


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else osp.expanduser('~/runs'))
