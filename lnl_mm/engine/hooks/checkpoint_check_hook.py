from typing import List, Sequence, Tuple

from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS

from lnl_mm.utils.checkpoint import checkpoint_path_of
from lnl_mm.utils.checkpoint_io import register_checkpoint_loader
from lnl_mm.utils.errors import CheckpointError
from lnl_mm.utils.numerics import non_finite_tensors
from lnl_mm.utils.runner_utils import runner_model
from lnl_mm.utils.state_dict_fit import (StateDictFit, compare_state_dicts,
                                         name_some, revise_keys, top_module)


def _fmt_shape(shape: tuple) -> str:
    return str(tuple(shape))


@HOOKS.register_module()
class CheckpointCheckHook(Hook):
    """Read checkpoints safely and refuse those whose weights do not fit the
    model.

    Before the run (hence before ``load_from`` or a resume), MMEngine's loader
    of local files is set to :func:`lnl_mm.utils.read_checkpoint`: torch's
    ``weights_only=True`` with the types of MMEngine checkpoints allowed, and
    an error naming the file for anything unreadable. Then, on every load
    (``load_from``, resume, ``tools/test.py``), after the file was read and
    before its weights are copied into the model:

    * A checkpoint holding NaN or inf is refused.
    * If no entry of the checkpoint names a weight of the model, it belongs
      to another model: refused.
    * Weights with another shape, and missing weights of any module the
      model needs (for a classifier: backbone, neck, head) are refused,
      naming them. MMEngine's loader would only warn and leave those layers
      as initialised, and evaluation would report their metrics.
    * A model may list child modules its label prediction does not need in
      ``optional_modules`` (``LNTLClassifier``: ``bias_neck``, ``bias_head``).
      If a checkpoint has none of the weights of such a module (e.g. a
      baseline checkpoint under an LNTL config), the module is marked
      untrained with ``model.set_untrained_modules``: the model leaves its
      outputs, hence its metrics, out until a training step trains it, and
      a warning says so. When resuming, nothing may be missing.

    Args:
        revisions (Sequence[tuple]): ``(pattern, replacement)`` renames of
            the checkpoint's keys, as ``Runner.load_checkpoint``'s
            ``revise_keys``. Defaults to stripping ``module.``.
    """

    priority = 'NORMAL'

    def __init__(self,
                 revisions: Sequence[Tuple[str, str]] = ((r'^module\.', ''),
                                                         )):
        self.revisions = [tuple(r) for r in revisions]

    def before_run(self, runner) -> None:
        register_checkpoint_loader()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        model = runner_model(runner)
        state = checkpoint.get('state_dict', checkpoint)
        state = revise_keys(state, self.revisions)
        fit = compare_state_dicts(model.state_dict(), state)
        path = checkpoint_path_of(runner.cfg) or 'the checkpoint'
        non_finite = non_finite_tensors(state)
        if non_finite:
            raise CheckpointError(
                f"'{path}' holds NaN/inf values in {name_some(non_finite)}: "
                'training had diverged when it was saved, and nothing '
                'computed from it would mean anything. Use an earlier '
                'checkpoint of that run.')
        resuming = bool(runner.cfg.get('resume'))
        untrained = self._check(model, fit, path, resuming)
        if hasattr(model, 'set_untrained_modules'):
            model.set_untrained_modules(untrained)
        if untrained:
            runner.logger.warning(
                f"'{path}' has no weights for {', '.join(untrained)} (e.g. "
                'a checkpoint of a model without them, such as the '
                f'baseline): {type(model).__name__} predicts with the loaded '
                f'label path and leaves out the outputs and metrics of '
                f"{', '.join(untrained)} (e.g. accuracy/bias_head) until "
                'they are trained.')
        if fit.unexpected:
            runner.logger.info(
                f"'{path}' holds weights this model does not use: "
                f'{name_some(fit.unexpected)}.')

    @staticmethod
    def _check(model, fit: StateDictFit, path: str,
               resuming: bool) -> List[str]:
        """Raise for a checkpoint that does not fit; return the optional
        modules it has no weights for."""
        name = type(model).__name__
        if not fit.matched and not fit.mismatched:
            raise CheckpointError(
                f"'{path}' holds the weights of another model: none of its "
                f'{len(fit.unexpected)} entries '
                f'({name_some(fit.unexpected, 4)}) is a weight of {name} '
                '(which has e.g. '
                f'{name_some(fit.missing, 4)}). Pass a checkpoint trained '
                'with this config, or the config it was trained with (it is '
                "stored in the checkpoint's meta['cfg']).")
        optional = set(getattr(model, 'optional_modules', ()))
        present = {top_module(k) for k in fit.matched}
        present |= {top_module(k) for k, _, _ in fit.mismatched}
        untrained = [] if resuming else sorted(
            ({top_module(k) for k in fit.missing} & optional) - present)
        required_missing = [
            k for k in fit.missing if top_module(k) not in untrained
        ]
        if not (fit.mismatched or required_missing):
            return untrained
        problems = []
        if fit.mismatched:
            shapes = '; '.join(
                f'{k} is {_fmt_shape(c)} in the checkpoint, {_fmt_shape(m)} '
                'in the model' for k, c, m in fit.mismatched[:6])
            more = f' ({len(fit.mismatched)} in all)' \
                if len(fit.mismatched) > 6 else ''
            problems.append(f'weights of another shape: {shapes}{more}')
        if required_missing:
            problems.append(
                f'missing weights: {name_some(required_missing)}')
        bad = set(required_missing) | {k for k, _, _ in fit.mismatched}
        modules = list(dict.fromkeys(
            top_module(k) for k in model.state_dict() if k in bad))
        what = 'resuming needs every weight' if resuming else (
            f"{', '.join(modules)} would keep untrained weights and "
            'evaluation would report their metrics')
        raise CheckpointError(
            f"'{path}' does not fit the model of this config ({name}): "
            f"{'; '.join(problems)}. Refused: {what}. Pass a checkpoint "
            'trained with this config, or test it with the config it was '
            "trained with (stored in the checkpoint's meta['cfg']).")
