"""Load MMEngine checkpoints safely with ``torch.load(weights_only=True)``.

Since torch 2.6, ``torch.load`` defaults to ``weights_only=True``: it only
unpickles tensors, plain containers and the globals that were explicitly
allowed. MMEngine 0.10.7 calls ``torch.load(filename, map_location)`` without
``weights_only``, so a checkpoint written by a ``Runner`` cannot be resumed or
tested until the few extra types it holds are allowed.

This module allows exactly those types (found empirically with
``torch.serialization.get_unsafe_globals_in_checkpoint`` on checkpoints saved
by real runners with a single ``OptimWrapper`` and with an
``OptimWrapperDict``), instead of turning the safety off for every file:

* ``mmengine.logging.HistoryBuffer``: the values of the message hub's
  ``log_scalars`` (loss/lr history), needed to resume.
* ``numpy.ndarray``, ``numpy.dtype`` and numpy's ``_reconstruct`` and
  ``scalar`` rebuild functions: the histories inside ``HistoryBuffer`` are
  numpy arrays, and runtime info/metrics may be numpy scalars. They are
  registered under both numpy 2 (``numpy._core``) and numpy 1
  (``numpy.core``) paths so checkpoints written with either version load.
* The concrete numpy dtype classes of numeric and boolean dtypes
  (``numpy.dtypes.Float64DType`` ...): unpickling a dtype ``BUILD``\\ s an
  instance of that class, which ``weights_only`` only allows for allowlisted
  types. Object, string and void dtypes are deliberately left out.
* ``builtins.getattr``, **restricted**: ``HistoryBuffer`` pickles its
  statistics methods as ``getattr(HistoryBuffer, 'mean')``. The real
  ``getattr`` would let a file reach arbitrary attributes, so a stand-in that
  only returns HistoryBuffer's own public methods is registered under that
  name.

``collections.OrderedDict`` (model ``state_dict``), ``collections.Counter``,
``set`` and the tensor rebuild functions are already allowed by torch itself;
optimizer and parameter-scheduler states are plain dicts of tensors and
numbers and need nothing more.

Anything else, e.g. a pickled ``os.system`` call or a class with a malicious
``__reduce__``, is still refused by torch with ``pickle.UnpicklingError``;
:func:`explain_untrusted_checkpoint` turns that error into a message that
names the file, the untrusted global and the fix.
"""
import contextlib
import importlib
import os.path as osp
import pickle
import re
import warnings
from typing import Callable, Iterator, List, Optional, Tuple, Union

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

from .errors import UserError

SafeGlobal = Union[Callable, Tuple[Callable, str]]

# numpy dtype kinds whose instances may appear in our checkpoints
_NUMPY_DTYPE_CHARS = ('?', 'b', 'B', 'h', 'H', 'i', 'I', 'l', 'L', 'q', 'Q',
                      'e', 'f', 'd', 'g', 'F', 'D', 'G')
# numpy's rebuild functions for arrays and scalars (in numpy's multiarray)
_NUMPY_REBUILD_FUNCTIONS = ('_reconstruct', 'scalar')


class UntrustedCheckpointError(UserError, pickle.UnpicklingError):
    """A checkpoint holds a global that lnl_mm does not allow to unpickle."""


def restricted_getattr(obj, name):
    """Stand-in for ``builtins.getattr`` when unpickling checkpoints.

    Only ``getattr(HistoryBuffer, <public method name>)`` is allowed: that is
    how ``HistoryBuffer`` pickles its statistics methods (``min``, ``max``,
    ``current``, ``mean`` and the ones registered with
    ``HistoryBuffer.register_statistics``).

    Args:
        obj: The object whose attribute is looked up.
        name (str): The attribute name.

    Returns:
        The method ``HistoryBuffer.<name>``.

    Raises:
        pickle.UnpicklingError: For any other object or attribute.
    """
    if obj is HistoryBuffer and isinstance(name, str) \
            and not name.startswith('_') \
            and callable(vars(HistoryBuffer).get(name)):
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'Refusing getattr({obj!r}, {name!r}) while loading a checkpoint: '
        'lnl_mm only allows getattr(HistoryBuffer, <public method>).')


def _numpy_multiarray():
    """Return numpy's multiarray module (``numpy._core`` or ``numpy.core``)."""
    for path in ('numpy._core.multiarray', 'numpy.core.multiarray'):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')  # numpy.core is deprecated
                return importlib.import_module(path)
        except ImportError:
            continue
    raise ImportError('numpy has neither numpy._core nor numpy.core')


def _numpy_safe_globals() -> List[SafeGlobal]:
    """Return the numpy globals needed for arrays, scalars and dtypes.

    Numpy 2 pickles arrays as ``numpy._core.multiarray._reconstruct`` and
    numpy 1 as ``numpy.core.multiarray._reconstruct``; both names map to the
    installed functions so checkpoints written under either version load.
    """
    multiarray = _numpy_multiarray()
    safe: List[SafeGlobal] = [(np.ndarray, 'numpy.ndarray'),
                              (np.dtype, 'numpy.dtype')]
    for prefix in ('numpy._core', 'numpy.core'):
        for name in _NUMPY_REBUILD_FUNCTIONS:
            safe.append((getattr(multiarray, name),
                         f'{prefix}.multiarray.{name}'))
    for char in _NUMPY_DTYPE_CHARS:
        dtype_class = type(np.dtype(char))
        if dtype_class is not np.dtype:  # numpy >= 1.25 has one per dtype
            safe.append((dtype_class, f'{dtype_class.__module__}.'
                         f'{dtype_class.__qualname__}'))
    return safe


def checkpoint_safe_globals() -> List[SafeGlobal]:
    """Return every global lnl_mm allows in ``weights_only`` checkpoints.

    Each entry is an object or an ``(object, 'pickle.path')`` pair as taken
    by ``torch.serialization.add_safe_globals``; see the module docstring
    for why each one is needed.
    """
    return [HistoryBuffer, (restricted_getattr, 'builtins.getattr')
            ] + _numpy_safe_globals()


def _global_name(item: SafeGlobal) -> str:
    """The name torch's unpickler knows an allow-list entry by."""
    if isinstance(item, tuple):
        return item[1]
    return f'{item.__module__}.{item.__qualname__}'


@contextlib.contextmanager
def checkpoint_globals_allowed() -> Iterator[List[SafeGlobal]]:
    """Allow the types of MMEngine checkpoints in ``torch.load`` inside the
    ``with`` block only; ``weights_only=True`` stays on.

    Types the process already allows (e.g. ones a user added with
    ``torch.serialization.add_safe_globals``) are left as they are, also on
    exit.

    Yields:
        list: The globals this block added.
    """
    allowed = {_global_name(g) for g in torch.serialization.get_safe_globals()}
    added = [
        g for g in checkpoint_safe_globals() if _global_name(g) not in allowed
    ]
    with torch.serialization.safe_globals(added):
        yield added


def unpickling_reason(error: BaseException) -> str:
    """The informative line of torch's weights-only unpickling error
    (without its advice to retry with ``weights_only=False``)."""
    text = str(error)
    marker = 'WeightsUnpickler error:'
    if marker in text:
        rest = text.split(marker, 1)[1].strip()
        return rest.splitlines()[0] if rest else text.splitlines()[0]
    return text.splitlines()[0] if text else repr(error)


def _offending_globals(message: str, filename: Optional[str]) -> List[str]:
    """Find the untrusted globals from the error text or the file itself."""
    found = re.findall(r'GLOBAL ([\w.]+)', message)
    found += re.findall(r"but got <class '([\w.]+)'>", message)
    if filename and osp.isfile(filename):
        try:
            with checkpoint_globals_allowed():  # list only what we refuse
                found += torch.serialization.get_unsafe_globals_in_checkpoint(
                    filename)
        except Exception:  # not a zip checkpoint: keep what we have
            pass
    return sorted(set(found))


def untrusted_checkpoint_message(error: BaseException,
                                 filename: Optional[str] = None) -> str:
    """Explain a refused checkpoint: which file, which global, what to do.

    Args:
        error (BaseException): The ``pickle.UnpicklingError`` from
            ``torch.load``.
        filename (str, optional): The checkpoint being loaded.

    Returns:
        str: A message naming the file, the offending globals and the fix.
    """
    offending = _offending_globals(str(error), filename)
    what = ', '.join(offending) if offending else 'a global'
    where = f"'{filename}'" if filename else 'the checkpoint'
    return (
        f'Refusing to load {where}: it holds {what}, which lnl_mm does not '
        'trust (torch.load runs with weights_only=True and lnl_mm only allows '
        'the types MMEngine checkpoints need, see lnl_mm.utils.checkpoint). '
        'If you trust this file, allow the type before loading with '
        'torch.serialization.add_safe_globals([...]) (e.g. in a module '
        'listed in custom_imports). torch: '
        f'{unpickling_reason(error)}')


@contextlib.contextmanager
def explain_untrusted_checkpoint(filename: Union[str, Callable[[], str],
                                                 None] = None):
    """Re-raise a refused checkpoint as :class:`UntrustedCheckpointError`.

    Used around ``runner.train()`` / ``runner.test()`` in the tools so that
    the user sees the file, the untrusted global and the fix instead of a
    long pickle traceback. Errors other than ``pickle.UnpicklingError`` pass
    through unchanged.

    Args:
        filename (str | callable, optional): The checkpoint being loaded, or
            a function returning it (evaluated only on error, e.g. to find the
            latest checkpoint of an auto-resume).
    """
    try:
        yield
    except UntrustedCheckpointError:
        raise
    except pickle.UnpicklingError as error:
        path = filename() if callable(filename) else filename
        raise UntrustedCheckpointError(
            untrusted_checkpoint_message(error, path)) from error


def checkpoint_path_of(cfg) -> Optional[str]:
    """Return the checkpoint a run with ``cfg`` is going to load, if any.

    ``cfg.load_from`` when set; for an automatic resume (``resume=True``
    without ``load_from``) the latest checkpoint in ``cfg.work_dir``.

    Args:
        cfg (Config): A merged config.
    """
    if cfg.get('load_from'):
        return cfg.load_from
    if cfg.get('resume') and cfg.get('work_dir'):
        from mmengine.runner import find_latest_checkpoint
        return find_latest_checkpoint(cfg.work_dir)
    return None
