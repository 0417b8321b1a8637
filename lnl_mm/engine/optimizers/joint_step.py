from typing import Sequence

from mmengine.optim import AmpOptimWrapper, OptimWrapper


def _found_inf(scaler, optimizer) -> bool:
    """Whether ``scaler.unscale_(optimizer)`` met an inf/NaN gradient.

    Reads the per-optimizer record that ``GradScaler.step`` itself consults
    (``torch.amp.GradScaler`` and ``ShardedGradScaler`` keep it alike).
    """
    state = scaler._per_optimizer_states[id(optimizer)]
    return any(v.item() for v in state['found_inf_per_device'].values())


def step_optim_wrappers(wrappers: Sequence[OptimWrapper]) -> None:
    """Step several optimizer wrappers after one shared backward pass.

    Plain wrappers are stepped one after another. Mixed-precision wrappers
    must share one ``GradScaler`` (``LNTLOptimWrapperConstructor`` arranges
    this), since the loss was scaled once by it. The joint step then

    1. unscales every optimizer's gradients by that one scale (the scale
       that multiplied the loss);
    2. if any gradient of any optimizer is inf/NaN, steps none of them (a
       partial update would apply half of an overflowed step); otherwise
       clips each wrapper's gradients if it has ``clip_grad`` and steps
       every optimizer;
    3. updates the scale once (backs off after an overflow, grows after
       ``growth_interval`` clean steps).

    Stepping each ``AmpOptimWrapper`` on its own instead would update the
    scale between the optimizers, unscale the second one with a scale that
    did not scale the loss, and skip only the optimizer whose own gradients
    overflowed.

    Args:
        wrappers (Sequence[OptimWrapper]): Wrappers whose gradients came
            from the same backward pass.
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
    if not scaler.is_enabled():  # e.g. bfloat16 without loss scaling
        for wrapper in amp:
            if wrapper.clip_grad_kwargs:
                wrapper._clip_grad()
            wrapper.optimizer.step()
        return

    for wrapper in amp:
        scaler.unscale_(wrapper.optimizer)
    if not any(_found_inf(scaler, w.optimizer) for w in amp):
        for wrapper in amp:
            if wrapper.clip_grad_kwargs:
                wrapper._clip_grad()
            # Already unscaled: GradScaler.step only checks and steps.
            scaler.step(wrapper.optimizer)
    scaler.update(amp[0]._scale_update_param)
