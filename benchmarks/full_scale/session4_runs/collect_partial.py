"""Copy what the session-4 runs (continued in sessions 5 to 7) wrote so
far into this folder: per-epoch validation accuracy from each run's
``vis_data/scalars.json`` and, where a run finished, its test metrics
(``*_test.json``) or its sweep result (``*_result.json``).

    python benchmarks/full_scale/session4_runs/collect_partial.py [RUNS_DIR]

RUNS_DIR defaults to ``~/runs`` (the work dirs named in README.md here).
"""
import csv
import os.path as osp
import shutil
import sys

HERE = osp.dirname(osp.abspath(__file__))
sys.path.insert(
    0, osp.join(osp.dirname(osp.dirname(osp.dirname(HERE))), 'tools',
                'analysis'))
from summarize_sweep import val_entries  # noqa: E402
RUNS = {
    'paper_exact_unlearning_seed0':
    'paper_exact/runs/lntl_2stage/cv0.020/seed0/train',
    'ablation_h_only_seed1': 'ablate/h_only',
    'ablation_momentum_only_seed1': 'ablate/momentum_only',
    'redraw_seed2_draw102': 'redraw/seed2_draw102',
    'redraw_seed2_draw202': 'redraw/seed2_draw202',
    'redraw_seed1_draw101': 'redraw/seed1_draw101',
    'original_seed1': 'recipes_s4_s1/runs/lntl_two_stage_one_run/cv0.020/'
    'seed1/train',
    'original_seed2': 'recipes_s4_s2/runs/lntl_two_stage_one_run/cv0.020/'
    'seed2/train',
    'two_stage_seed3': 'recipes_s5_seed3/runs/lntl_2stage__model.entropy_'
    'weight=0.1+model.bias_neck.mu=1.0/cv0.020/seed3/train',
    'two_stage_hlr0.01_seed3': 'recipes_s5_seed3/runs/lntl_2stage__model.'
    'entropy_weight=0.1+model.bias_neck.mu=1.0+optim_wrapper.bias.optimizer.'
    'lr=0.01/cv0.020/seed3/train',
    'one_run_hlr0.01_seed3': 'recipes_s6_hlr/runs/lntl__optim_wrapper.bias.'
    'optimizer.lr=0.1/cv0.020/seed3/train',
    **{
        f'two_stage_hlr0.01_seed{seed}':
        'recipes_s7_hlr/runs/lntl_2stage__model.entropy_weight=0.1+model.'
        'bias_neck.mu=1.0+optim_wrapper.bias.optimizer.lr=0.01/cv0.020/'
        f'seed{seed}/train'
        for seed in (0, 1, 2)
    },
    'two_stage_hlr0.01_bias_steps3_seed3': 'recipes_s5_seed3/runs/lntl_2stage'
    '__model.entropy_weight=0.1+model.bias_neck.mu=1.0+optim_wrapper.bias.'
    'optimizer.lr=0.01+model.bias_steps=3/cv0.020/seed3/train',
    **{
        f'two_stage_hlr0.01_bias_steps3_seed{seed}': 'recipes_s7_hlr/runs/'
        'lntl_2stage__model.entropy_weight=0.1+model.bias_neck.mu=1.0+'
        'optim_wrapper.bias.optimizer.lr=0.01+model.bias_steps=3/cv0.020/'
        f'seed{seed}/train'
        for seed in (0, 1, 2)
    },
    **{
        f'two_stage_bias_steps3_seed{seed}': 'recipes_s7_hlr/runs/lntl_2stage'
        '__model.entropy_weight=0.1+model.bias_neck.mu=1.0+model.bias_steps=3/'
        f'cv0.020/seed{seed}/train'
        for seed in (0, 1, 2)
    },
    'two_stage_bias_steps3_seed3': 'recipes_s5_seed3/runs/lntl_2stage__model.'
    'entropy_weight=0.1+model.bias_neck.mu=1.0+model.bias_steps=3/cv0.020/'
    'seed3/train',
    **{
        f'one_run_bias_steps3_seed{seed}': 'recipes_s8_steps/runs/lntl__model.'
        f'bias_steps=3/cv0.020/seed{seed}/train'
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
    for name, sub in RUNS.items():
        work_dir = osp.join(runs_dir, sub)
        if not osp.isdir(work_dir):
            print(name, 'not started:', work_dir)
            continue
        rows = val_rows(work_dir)
        with open(osp.join(HERE, f'{name}_val.csv'), 'w', newline='') as f:
            writer = csv.writer(f)
            writer.writerow(
                ['epoch', 'val_top1', 'val_conflicting', 'val_bias_head'])
            writer.writerows(rows)
        test = osp.join(work_dir, 'test_metrics.json')
        if osp.exists(test):
            shutil.copyfile(test, osp.join(HERE, f'{name}_test.json'))
        # a sweep run writes its result (test metrics at the val-selected
        # checkpoint) beside its train/ folder
        result = osp.join(osp.dirname(work_dir), 'result.json')
        if osp.exists(result):
            shutil.copyfile(result, osp.join(HERE, f'{name}_result.json'))
        print(name, 'last epochs with val:', [r[0] for r in rows][-3:])


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else osp.expanduser('~/runs'))
