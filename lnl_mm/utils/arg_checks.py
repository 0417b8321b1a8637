"""Checks of single argument values, for lnl_mm's modules and for the
tools' checks of a config before anything is built.

Each check returns the value (as int or float) or raises a ``ValueError``
(or the subclass given as ``error``, e.g. ``ConfigError``) that names the
argument and its value, ``name=value must be ...``, followed by a hint
(what the value means, a typical value). ``owner`` (a class name) prefixes
the message as ``Owner: name=value ...``; the tools replace that prefix by
the argument's config path (e.g. ``model.bias_steps=0 ...``).
"""
import math
from numbers import Integral, Real
from typing import Optional


def _bounds(low, high, low_open: bool = False) -> str:
    if high is None:
        return f'{">" if low_open else ">="} {low}' if low is not None \
            else ''
    if low is None:
        return f'<= {high}'
    return f'in {"(" if low_open else "["}{low}, {high}]'


def _fail(owner, name, value, requirement, hint, error) -> ValueError:
    prefix = f'{owner}: ' if owner else ''
    hint = f' ({hint})' if hint else ''
    return error(f'{prefix}{name}={value!r} must be {requirement}{hint}.')


def check_int(name: str, value, low: Optional[int] = None,
              high: Optional[int] = None, hint: str = '',
              owner: Optional[str] = None, error=ValueError) -> int:
    """``value`` as int if it is an integer (not a bool) in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, Integral) or (
            low is not None and value < low) or (high is not None
                                                 and value > high):
        requirement = ' '.join(['an integer', _bounds(low, high)]).strip()
        raise _fail(owner, name, value, requirement, hint, error)
    return int(value)


def check_number(name: str, value, low: Optional[float] = None,
                 high: Optional[float] = None, hint: str = '',
                 owner: Optional[str] = None, low_open: bool = False,
                 error=ValueError) -> float:
    """``value`` as float if it is a finite number (not a bool) in
    [low, high] (``low_open``: greater than ``low``)."""
    ok = not isinstance(value, bool) and isinstance(value, Real) and \
        math.isfinite(value) and (low is None or value > low or (
            value == low and not low_open)) and (high is None
                                                 or value <= high)
    if not ok:
        requirement = ' '.join(
            ['a finite number', _bounds(low, high, low_open)]).strip()
        raise _fail(owner, name, value, requirement, hint, error)
    return float(value)


__all__ = ['check_int', 'check_number']
