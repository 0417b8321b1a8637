import logging
import os.path as osp
from contextlib import contextmanager, nullcontext
from typing import Optional, Sequence, Union

from mmengine.dist import broadcast_object_list, is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook
from mmpretrain.registry import HOOKS

from lnl_mm.utils.atomic_files import (atomic_write_text, commit_file,
                                       discard, remove_stale_temp_files,
                                       temp_path_for)
from lnl_mm.utils.errors import (CheckpointSaveError, ConfigError,
                                 WorkDirError)
from lnl_mm.utils.numerics import non_finite_tensors
from lnl_mm.utils.runner_utils import runner_model
from lnl_mm.utils.state_dict_fit import name_some
from lnl_mm.utils.work_dir import (check_free_space, check_writable_dir,
                                   estimate_checkpoint_bytes)


#: What mmengine's ``CheckpointHook.before_train`` logs on every run about
#: the ``FileClient`` it creates for backward compatibility and, without
#: ``file_client_args`` (the configs' default), never uses: nothing a user
#: can act on.
UNUSED_FILE_CLIENT_NOTICES = ('"FileClient" will be deprecated',
                              '"HardDiskBackend" is the alias')


@contextmanager
def dropped_log_messages(logger: logging.Logger, starts: Sequence[str]):
    """Within the block, ``logger`` drops the records whose message starts
    with one of ``starts``; everything else is logged as usual."""

    def keep(record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(tuple(starts))

    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)


def _agree(message: Optional[str]) -> Optional[str]:
    """Rank 0's ``message`` on every rank (one broadcast when distributed),
    so that all ranks raise together instead of waiting for each other."""
    shared = [message]
    broadcast_object_list(shared, src=0)
    return shared[0]


@HOOKS.register_module()
class SafeCheckpointHook(CheckpointHook):
    """MMEngine's ``CheckpointHook`` with saves that never lose work.

    * Every checkpoint (``epoch_*``/``iter_*``, ``best_*``) and the
      ``last_checkpoint`` pointer is written to a hidden temporary file in
      the same directory, flushed to disk and renamed over its final name.
      A kill or an exception during a save leaves the previous checkpoint
      and pointer as they were; ``--resume`` never sees a partial file.
    * Old checkpoints (beyond ``max_keep_ckpts``, the previous best) are
      deleted only after the new checkpoint and pointer are complete.
    * A model holding NaN/inf weights or buffers is not saved: the hook
      logs an error naming them, and the previous checkpoint stays the
      latest.
    * Before training, the checkpoint directory must be writable and have
      room for one checkpoint (:class:`~lnl_mm.utils.errors.WorkDirError`
      otherwise); temporary files left by a killed save are removed.
    * A failed save raises :class:`~lnl_mm.utils.errors.CheckpointSaveError`
      on every rank.

    Checkpoints on a non-local backend (``backend_args``) are saved as by
    ``CheckpointHook``, without these guarantees (a warning says so).

    Args:
        min_free_bytes (int | str | None): Free space the checkpoint
            directory needs before training. ``'auto'`` (default) estimates
            one checkpoint from the model size (3x the weights + 1 MiB);
            None skips the check.
        **kwargs: The arguments of ``mmengine.hooks.CheckpointHook``.
    """

    def __init__(self,
                 min_free_bytes: Union[int, str, None] = 'auto',
                 **kwargs):
        super().__init__(**kwargs)
        if not (min_free_bytes is None or min_free_bytes == 'auto' or
                (isinstance(min_free_bytes, int) and min_free_bytes >= 0)):
            raise ConfigError(
                f'SafeCheckpointHook: min_free_bytes={min_free_bytes!r} '
                "must be 'auto', None or a number of bytes >= 0.")
        self.min_free_bytes = min_free_bytes
        self.atomic = True

    # ------------------------------------------------------------------
    # before training
    # ------------------------------------------------------------------
    def before_train(self, runner) -> None:
        """Set up as ``CheckpointHook``, then check the checkpoint dir."""
        quiet = (dropped_log_messages(runner.logger,
                                      UNUSED_FILE_CLIENT_NOTICES)
                 if self.file_client_args is None else nullcontext())
        with quiet:
            super().before_train(runner)
        self.atomic = isinstance(self.file_backend, LocalBackend)
        if not self.atomic:
            runner.logger.warning(
                f'SafeCheckpointHook: {self.out_dir} is not a local '
                'directory; checkpoints there are saved without atomic '
                'writes or free-space checks.')
            return
        problem = None
        if is_main_process():
            try:
                self._check_out_dir(runner)
            except WorkDirError as error:
                problem = str(error)
        problem = _agree(problem)
        if problem:
            raise WorkDirError(problem)

    def _check_out_dir(self, runner) -> None:
        """Writable, room for one checkpoint; remove stale temp files."""
        check_writable_dir(self.out_dir, 'checkpoint directory')
        for folder in {self.out_dir, runner.work_dir}:
            for path in remove_stale_temp_files(folder):
                runner.logger.info(
                    f'Removed {path}, the partial file of an interrupted '
                    'save.')
        needed = self.min_free_bytes
        if needed == 'auto':
            needed = estimate_checkpoint_bytes(runner_model(runner))
        if needed is not None:
            check_free_space(self.out_dir, needed, 'checkpoint directory')

    # ------------------------------------------------------------------
    # saving
    # ------------------------------------------------------------------

    def _refuse_non_finite(self, runner, filename: str) -> bool:
        """Log and return True if the model holds NaN/inf values."""
        bad = non_finite_tensors(runner_model(runner).state_dict())
        if not bad:
            return False
        runner.logger.error(
            f'Not saving {filename}: the model holds NaN/inf values in '
            f'{name_some(bad)}. The previous checkpoint '
            f"({getattr(self, 'last_ckpt', None) or 'none'}) stays the "
            'latest. default_hooks.non_finite (NonFiniteLossHook) stops '
            'training at the first non-finite loss, gradient, weight or '
            "buffer, unless its policy is 'warn'.")
        return True

    def _save_atomically(self, runner, filename: str, **kwargs) -> None:
        """``runner.save_checkpoint`` into a temp file renamed to
        ``filename``; raise CheckpointSaveError on every rank if it fails."""
        final = self.file_backend.join_path(self.out_dir, filename)
        temp = temp_path_for(final)
        problem = None
        if is_main_process():
            try:
                runner.save_checkpoint(
                    self.out_dir,
                    osp.basename(temp),
                    self.file_client_args,
                    backend_args=self.backend_args,
                    **kwargs)
                commit_file(temp, final)
            except Exception as error:  # any failure leaves the old files
                discard(temp)
                problem = (
                    f"Saving the checkpoint '{final}' failed "
                    f'({type(error).__name__}: {error}). Nothing was '
                    'overwritten or deleted: the previous checkpoints and '
                    "'last_checkpoint' are intact. Fix the cause (e.g. "
                    'free disk space), then continue with --resume.')
                runner.logger.error(problem)
            except BaseException:  # KeyboardInterrupt: clean up, go on up
                discard(temp)
                raise
        problem = _agree(problem)
        if problem:
            raise CheckpointSaveError(problem)

    def _in_out_dir(self, path: str) -> bool:
        """Whether ``path`` lies in this run's checkpoint folder: only
        those files are ever deleted; a checkpoint a resumed run names from
        another folder (the run it was resumed from) is not this run's."""
        return osp.realpath(osp.dirname(path)) == osp.realpath(self.out_dir)

    def _remove(self, path: str) -> None:
        """Delete an outdated checkpoint (file, or DeepSpeed directory)."""
        if self.file_backend.isfile(path):
            self.file_backend.remove(path)
        elif self.file_backend.isdir(path):
            self.file_backend.rmtree(path)

    def _save_checkpoint_with_step(self, runner, step, meta):
        """Save ``filename_tmpl.format(step)`` and point ``last_checkpoint``
        at it, then delete the checkpoint that ``max_keep_ckpts`` drops."""
        if not self.atomic:
            return super()._save_checkpoint_with_step(runner, step, meta)
        filename = self.filename_tmpl.format(step)
        if self._refuse_non_finite(runner, filename):
            return
        outdated = []
        if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids and
                                            self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                outdated.append(
                    self.file_backend.join_path(
                        self.out_dir,
                        self.filename_tmpl.format(
                            self.keep_ckpt_ids.popleft())))
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids',
                                           list(self.keep_ckpt_ids))
        self.last_ckpt = self.file_backend.join_path(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        self._save_atomically(
            runner,
            filename,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            **self.args)
        if is_main_process():
            atomic_write_text(
                osp.join(runner.work_dir, 'last_checkpoint'), self.last_ckpt)
            for path in outdated:
                self._remove(path)

    def _best_path(self, key_indicator: str) -> Optional[str]:
        if len(self.key_indicators) == 1:
            return self.best_ckpt_path
        return self.best_ckpt_path_dict[key_indicator]

    def _set_best_path(self, runner, key_indicator: str, path: str) -> None:
        if len(self.key_indicators) == 1:
            self.best_ckpt_path = path
            runner.message_hub.update_info('best_ckpt', path)
        else:
            self.best_ckpt_path_dict[key_indicator] = path
            runner.message_hub.update_info(f'best_ckpt_{key_indicator}',
                                           path)

    def _save_best_checkpoint(self, runner, metrics) -> None:
        """Save a new best checkpoint, then delete the previous best."""
        if not self.save_best:
            return
        if not self.atomic:
            return super()._save_best_checkpoint(runner, metrics)
        if self.by_epoch:
            step, unit = runner.epoch, 'epoch'
        else:
            step, unit = runner.iter, 'iter'
        meta = dict(epoch=runner.epoch, iter=runner.iter)
        if 'auto' in self.key_indicators:
            self._init_rule(self.rules, [list(metrics.keys())[0]])

        updated = False
        for key_indicator, rule in zip(self.key_indicators, self.rules):
            score_key = 'best_score' if len(self.key_indicators) == 1 \
                else f'best_score_{key_indicator}'
            best = runner.message_hub.get_info(score_key,
                                               self.init_value_map[rule])
            score = metrics[key_indicator]
            if score is None or not self.is_better_than[key_indicator](
                    score, best):
                continue
            filename = f'best_{key_indicator}_' \
                f'{self.filename_tmpl.format(step)}'.replace('/', '_')
            if self._refuse_non_finite(runner, filename):
                continue
            updated = True
            previous = self._best_path(key_indicator)
            path = self.file_backend.join_path(self.out_dir, filename)
            runner.message_hub.update_info(score_key, score)
            self._set_best_path(runner, key_indicator, path)
            self._save_atomically(
                runner,
                filename,
                save_optimizer=False,
                save_param_scheduler=False,
                meta=meta,
                by_epoch=False)
            if previous and previous != path and is_main_process():
                if self._in_out_dir(previous):
                    self._remove(previous)
                    runner.logger.info(
                        f'The previous best checkpoint {previous} is removed')
                else:  # e.g. a run resumed into another work dir
                    runner.logger.info(
                        f'The previous best checkpoint {previous} belongs to '
                        'another folder and is left as it is.')
            runner.logger.info(
                f'The best checkpoint with {score:0.4f} {key_indicator} at '
                f'{step} {unit} is saved to {filename}.')
        # Save the periodic checkpoint again so that its message hub holds
        # the new best score and path (as CheckpointHook does).
        if updated and self.last_ckpt is not None:
            self._save_checkpoint_with_step(runner, step, meta)
