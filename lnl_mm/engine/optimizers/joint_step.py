from typing import Sequence

from mmengine.optim import AmpOptimWrapper, OptimWrapper


def step_optim_wrappers(wrappers: Sequence[OptimWrapper]) -> None:
    """Step several optimizer wrappers after one shared backward pass.

    Plain wrappers are stepped one after another. Mixed-precision wrappers
    must share one ``GradScaler`` (``LNTLOptimWrapperConstructor`` arranges
    this): the loss was scaled once, so every optimizer is unscaled with that
    same scale and the scale is updated once, after all of them stepped.
    Stepping each ``AmpOptimWrapper`` on its own would update the scale
    between the optimizers and unscale the second one with the wrong value.
    """
    amp = [w for w in wrappers if isinstance(w, AmpOptimWrapper)]
    if not amp:
        for wrapper in wrappers:
            wrapper.step()
        return
    scalers = {id(w.loss_scaler) for w in amp}
    if len(amp) != len(wrappers) or len(scalers) != 1:
        raise RuntimeError(
            'Stepping optimizers after a shared backward pass needs either '
            'no AmpOptimWrapper or all AmpOptimWrappers sharing one loss '
            'scaler; build them with LNTLOptimWrapperConstructor (it shares '
            'the scaler) and give every sub-wrapper the same type.')
    scaler = amp[0].loss_scaler
    for wrapper in amp:
        if wrapper.clip_grad_kwargs:
            scaler.unscale_(wrapper.optimizer)
            wrapper._clip_grad()
        scaler.step(wrapper.optimizer)
    scaler.update(amp[0]._scale_update_param)
