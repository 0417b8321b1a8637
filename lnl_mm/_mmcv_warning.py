"""Silence mmcv-lite's import-time warning about
``MultiScaleDeformableAttention``, an op of full mmcv that lnl_mm never uses.

mmcv-lite warns once per process when ``mmcv.cnn.bricks.transformer`` is
imported (mmpretrain's models import it): "Fail to import
``MultiScaleDeformableAttention`` from ``mmcv.ops.multi_scale_deform_attn``,
You should install ``mmcv`` rather than ``mmcv-lite`` if you need this
module." A user cannot act on it, so this module installs a filter for
exactly that message from that module, before anything imports mmcv. Every
other warning, mmcv's included, is shown as before.
"""
import warnings

#: The start of the warning's message (a regular expression, matched at the
#: start of the message).
MESSAGE = r'Fail to import ``MultiScaleDeformableAttention`` from'
#: The module that issues it.
MODULE = r'mmcv\.cnn\.bricks\.transformer'


def silence_multiscale_deform_attn_warning() -> None:
    """Ignore mmcv-lite's ``MultiScaleDeformableAttention`` warning (only)."""
    warnings.filterwarnings(
        'ignore', message=MESSAGE, category=UserWarning, module=MODULE)


silence_multiscale_deform_attn_warning()
