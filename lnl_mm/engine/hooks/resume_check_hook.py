import pickle
from typing import Any, List, Optional, Sequence, Tuple, Union

from mmengine.hooks import Hook
from mmengine.optim import _ParamScheduler  # exported by mmengine.optim
from mmpretrain.registry import HOOKS

from lnl_mm.utils.checkpoint import checkpoint_path_of
from lnl_mm.utils.config_diff import (UNSET, config_differences,
                                      matches, parse_config_text)
from lnl_mm.utils.errors import ConfigError, ResumeError

#: Config fields that define the model and the data of a run, and the
#: optimizers, whose settings a resume restores from the checkpoint (a
#: changed lr in the config would silently not apply).
CHECK_KEYS = ('model', 'data_preprocessor', 'train_dataloader.dataset',
              'train_dataloader.batch_size', 'train_dataloader.sampler',
              'val_dataloader.dataset', 'optim_wrapper.optimizer',
              'optim_wrapper.main.optimizer', 'optim_wrapper.bias.optimizer')
OPTIMIZER_NOTE = (
    ' A resumed run restores the optimizers\' settings (lr, momentum, '
    'weight decay) from the checkpoint, so a changed optimizer field would '
    'not take effect: to go on with other optimizer settings, start a new '
    'run from the checkpoint\'s weights (--cfg-options load_from=<it>, '
    'another --work-dir).')
#: Fields that do not change what is computed (downloads; cache_dir, an
#: option of ColoredMNIST that older checkpoints' configs may hold).
IGNORE_KEYS = ('*.cache_dir', '*.lazy_init', '*.serialize_data',
               '*.download', '*.download_timeout', '*.mirrors')
METAINFO = 'train_dataloader.dataset.metainfo'
#: Scheduler state that is progress (kept from the checkpoint); the rest
#: (milestones, gamma, begin, end, ...) is the schedule's definition.
SCHEDULER_PROGRESS = ('last_step', '_global_step', '_last_value',
                      'base_values')
#: What a checkpoint needs to continue training, and where it comes from.
TRAINING_STATE = (('meta', 'the epoch and iteration'),
                  ('optimizer', 'the optimizer state'),
                  ('message_hub', 'the log history'))


def redefine_scheduler_state(state: dict, scheduler) -> List[str]:
    """Give a saved scheduler state the definition of ``scheduler``.

    ``state`` keeps its progress (``_global_step``, last values); the other
    fields (milestones, gamma, begin, end, ...) come from ``scheduler``,
    freshly built from the current config, and ``last_step`` is recounted
    as the number of steps so far inside the new ``[begin, end)``, as if
    the run had had this definition from the start. Schedulers with their
    own ``step`` rule (e.g. ReduceOnPlateau) are left as saved.

    Returns:
        list[str]: The definition fields that changed.
    """
    if not (isinstance(state, dict) and '_global_step' in state
            and type(scheduler).step is _ParamScheduler.step):
        return []
    fresh = scheduler.state_dict()
    definition = {
        k: v
        for k, v in fresh.items() if k not in SCHEDULER_PROGRESS
    }
    changed = [
        k for k, v in definition.items()
        if k in state and repr(state[k]) != repr(v)
    ]
    state.update(definition)
    # steps g counted since construction: fresh['_global_step'] < g <= now
    first = max(fresh['_global_step'] + 1, definition['begin'])
    last = min(state['_global_step'], definition['end'] - 1)
    state['last_step'] = fresh['last_step'] + max(0, last - first + 1)
    return changed


def _short(value: Any, limit: int = 80) -> str:
    text = UNSET if value is UNSET else repr(value)
    return text if len(text) <= limit else text[:limit - 3] + '...'


@HOOKS.register_module()
class ResumeCheckHook(Hook):
    """Refuse to resume with another model, other data or other optimizer
    settings; let schedule changes take effect.

    When a run resumes (``resume=True``, ``tools/train.py --resume``), before
    anything is loaded into the model and the optimizers:

    * The checkpoint must hold a training state (``meta``, ``optimizer``,
      ``message_hub``); a ``best_*`` checkpoint, saved without the
      optimizer, cannot be resumed (MMEngine would quietly start the
      optimizer afresh).
    * The fields ``check_keys`` of the config saved in the checkpoint
      (``meta['cfg']``) must equal the current ones (the model, the data,
      and the optimizers, whose settings the resume restores from the
      checkpoint whatever the config says), and so must the train
      dataset's metainfo (``meta['dataset_meta']``, which also catches data
      changes the config does not show). Schedule fields (``train_cfg``
      such as ``max_epochs`` and ``val_interval``, ``param_scheduler``
      milestones, hook intervals) are not compared and may change.
    * With ``apply_schedule_changes``, the parameter schedulers keep the
      checkpoint's progress (step counts, last values) but take their
      definition (milestones, gamma, begin, end) from the current config.
      MMEngine restores the whole scheduler state, so a changed milestone
      or a longer ``max_epochs`` (which sets ``end``) would silently not
      apply.

    A refusal names every differing field with both values.

    Args:
        allow_changes (bool | Sequence[str]): Allow deliberate changes:
            True allows every difference, a list allows the fields matching
            its ``fnmatch`` patterns (e.g.
            ``['train_dataloader.dataset.color_var']``; the dataset metainfo
            entry of the same name is allowed with it). Allowed differences
            are logged as warnings. Defaults to False.
        check_keys (Sequence[str]): Config fields compared.
        ignore_keys (Sequence[str]): ``fnmatch`` patterns of fields never
            compared (they do not change what is computed).
        apply_schedule_changes (bool): Take the schedulers' definition from
            the current config (see above). Defaults to True.
    """

    priority = 'ABOVE_NORMAL'  # before CheckpointCheckHook

    def __init__(self,
                 allow_changes: Union[bool, Sequence[str]] = False,
                 check_keys: Sequence[str] = CHECK_KEYS,
                 ignore_keys: Sequence[str] = IGNORE_KEYS,
                 apply_schedule_changes: bool = True):
        if not isinstance(allow_changes, (bool, list, tuple)):
            raise ConfigError(
                f'ResumeCheckHook: allow_changes={allow_changes!r} must be '
                'True, False or a list of field patterns.')
        self.allow_changes = allow_changes
        self.check_keys = tuple(check_keys)
        self.ignore_keys = tuple(ignore_keys)
        self.apply_schedule_changes = apply_schedule_changes

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if not runner.cfg.get('resume'):
            return
        path = checkpoint_path_of(runner.cfg) or 'the checkpoint'
        dataset = runner.train_dataloader.dataset
        allowed = self.check(checkpoint, runner.cfg.to_dict(), path,
                             getattr(dataset, 'metainfo', None))
        if not isinstance(checkpoint['meta'].get('cfg'), str):
            runner.logger.warning(
                'ResumeCheckHook: the checkpoint holds no config '
                "(meta['cfg']); only the dataset metainfo was compared.")
        for field, before, after in allowed:
            no_effect = ' (no effect: the optimizer state of the checkpoint ' \
                'is restored)' if field.startswith('optim_wrapper.') else ''
            runner.logger.warning(
                f'Resuming from {path} with a deliberate change (allowed by '
                f'ResumeCheckHook allow_changes): {field}: '
                f'{_short(before)} -> {_short(after)}{no_effect}.')
        if self.apply_schedule_changes:
            self._apply_schedule(runner, checkpoint)

    def check(self,
              checkpoint: dict,
              cfg: dict,
              path: str,
              metainfo: Optional[dict] = None) -> List[Tuple[str, Any, Any]]:
        """Raise :class:`ResumeError` if ``checkpoint`` cannot be resumed
        with the config ``cfg`` (and the train dataset's ``metainfo``, when
        given); return the differences that ``allow_changes`` allows.

        ``tools/train.py`` calls it before building the Runner (without
        metainfo), so that a refused resume writes nothing.
        """
        self._check_training_state(checkpoint, path)
        differences = self._differences(checkpoint, cfg, metainfo)
        refused = [d for d in differences if not self._allowed(d[0])]
        if refused:
            raise ResumeError(self._refusal(path, refused))
        return differences

    @staticmethod
    def _apply_schedule(runner, checkpoint: dict) -> None:
        """Put the current schedulers' definition into the checkpoint's
        scheduler states, which ``Runner.resume`` loads next."""
        saved = checkpoint.get('param_schedulers')
        current = runner.param_schedulers
        if saved is None or current is None:
            return
        if isinstance(current, dict):
            pairs = [(saved.get(name, []), current[name]) for name in current]
        else:
            pairs = [(saved, current)]
        for saved_states, schedulers in pairs:
            if len(saved_states) != len(schedulers):
                continue  # another list of schedulers: MMEngine's rules
            for state, scheduler in zip(saved_states, schedulers):
                changed = redefine_scheduler_state(state, scheduler)
                if changed:
                    runner.logger.info(
                        f'Resume: {type(scheduler).__name__} takes '
                        f"{', '.join(changed)} from the current config (from "
                        'the resumed step on; past steps are not redone).')

    @staticmethod
    def _check_training_state(checkpoint: dict, path: str) -> None:
        lacking = [what for key, what in TRAINING_STATE
                   if key not in checkpoint]
        if lacking:
            raise ResumeError(
                f"Cannot resume from '{path}': it was saved without "
                f"{' and '.join(lacking)} (a best_* checkpoint, or one "
                'saved with save_optimizer=False). Resume from an '
                "epoch_*.pth checkpoint (<work_dir>/last_checkpoint names "
                'the latest), or start a new run from its weights with '
                f'--cfg-options load_from={path} (without --resume).')

    def _differences(self, checkpoint: dict, cfg: dict,
                     metainfo: Optional[dict]) -> List[Tuple[str, Any, Any]]:
        meta = checkpoint['meta']
        differences = []
        if isinstance(meta.get('cfg'), str):
            differences += config_differences(
                parse_config_text(meta['cfg']), cfg, self.check_keys,
                self.ignore_keys)
        saved_meta = meta.get('dataset_meta')
        if isinstance(saved_meta, dict) and isinstance(metainfo, dict):
            for key in list(saved_meta) + [
                    k for k in metainfo if k not in saved_meta]:
                before = saved_meta.get(key, UNSET)
                after = metainfo.get(key, UNSET)
                # values may be numpy arrays: compare their pickles
                if pickle.dumps(before) != pickle.dumps(after):
                    differences.append((f'{METAINFO}.{key}', before, after))
        return differences

    def _allowed(self, field: str) -> bool:
        if self.allow_changes is True:
            return True
        if not self.allow_changes:
            return False
        # a metainfo entry is allowed with the dataset field of its name
        names = [field, field.replace('.metainfo.', '.')]
        return any(matches(name, self.allow_changes) for name in names)

    @staticmethod
    def _refusal(path: str, refused: List[Tuple[str, Any, Any]]) -> str:
        fields = '; '.join(f'{field}: {_short(before)} in the checkpoint, '
                           f'{_short(after)} now'
                           for field, before, after in refused)
        patterns = ','.join(sorted({f.replace('.metainfo.', '.')
                                    for f, _, _ in refused}))
        optimizer = any(f.startswith('optim_wrapper.') for f, _, _ in refused)
        return (
            f"Refusing to resume from '{path}': {len(refused)} field(s) that "
            f'define the model, the data or the optimizers differ from the '
            f'config that checkpoint was trained with: {fields}. Resuming '
            'would go on training another model or on other data. Undo the '
            'change, or start a new run (another --work-dir, without '
            '--resume). If the change is deliberate, allow it with '
            f"--cfg-options 'default_hooks.resume_check.allow_changes="
            f"[{patterns}]' (or =True for any change). Schedule fields "
            '(max_epochs, milestones, intervals) may change without this.' +
            (OPTIMIZER_NOTE if optimizer else ''))
