"""lnl_mm: "Learning Not to Learn" (Kim et al., CVPR 2019) for MMPretrain.

Importing this package registers every component (datasets, models, hooks,
optimizer-wrapper constructors, model wrappers, metrics) in MMPretrain's
registries, so a config only needs::

    custom_imports = dict(imports=['lnl_mm'], allow_failed_imports=False)
"""
# before anything imports mmcv: its import-time warning about an op that
# lnl_mm never uses
from . import _mmcv_warning  # noqa: F401,I001
from .version import __version__
from . import datasets, engine, evaluation, models, utils, visualization  # noqa: F401,E402,E501

__all__ = ['__version__']
