default_scope = 'mmpretrain'
# Registers lnl_mm's datasets, models, optimizer constructors, model
# wrappers, metrics and checkpoint loading rules.
custom_imports = dict(imports=['lnl_mm'], allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # Keep the latest checkpoints and the best one on the *validation*
    # split; the test split is never used to pick a model. SafeCheckpointHook
    # is MMEngine's CheckpointHook with atomic saves (temp file + rename, old
    # files deleted after the new one is complete), no saving of NaN/inf
    # weights, and a writable/free-space check of the directory before
    # training ('auto': room for about one checkpoint; None: no check).
    checkpoint=dict(
        type='SafeCheckpointHook',
        interval=10,
        max_keep_ckpts=2,
        save_best='accuracy/top1',
        rule='greater',
        min_free_bytes='auto'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='VisualizationHook', enable=False),
    # At the first NaN/inf loss term or gradient: 'stop' (raise, naming the
    # epoch, iteration and terms), 'skip' (drop that step and go on) or
    # 'warn' (log and go on).
    non_finite=dict(type='NonFiniteLossHook', policy='stop'),
    # Refuse checkpoints whose weights do not fit the model (another model,
    # other shapes, missing backbone/head); missing bias-head weights leave
    # the bias-head metric out.
    checkpoint_check=dict(type='CheckpointCheckHook'),
    # Refuse --resume when model or data fields differ from the checkpoint's
    # config. allow_changes=True (or a list of fields, e.g.
    # ['train_dataloader.dataset.color_var']) allows a deliberate change;
    # schedule fields (max_epochs, milestones, intervals) may always change.
    resume_check=dict(type='ResumeCheckHook', allow_changes=False),
)

env_cfg = dict(
    # input shapes are fixed, so cuDNN may pick its fastest algorithms once
    # (randomness.deterministic=True turns it off again)
    cudnn_benchmark=True,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='UniversalVisualizer', vis_backends=vis_backends)

log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
