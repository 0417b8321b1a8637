"""lnl_mm: "Learning Not to Learn" (Kim et al., CVPR 2019) for MMPretrain.

Importing this package registers every component (datasets, models, hooks,
optimizer-wrapper constructors, model wrappers, metrics) in MMPretrain's
registries, so a config only needs::

    custom_imports = dict(imports=['lnl_mm'], allow_failed_imports=False)
"""
from .version import __version__
from . import datasets, engine, evaluation, models, utils, visualization  # noqa: F401,E402,E501

__all__ = ['__version__']
