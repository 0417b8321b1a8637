"""Compare the config a checkpoint was trained with and the current one.

``Runner.save_checkpoint`` stores the run's config as Python text in
``checkpoint['meta']['cfg']``. :func:`parse_config_text` reads its
``name = value`` lines without executing anything (a checkpoint is data;
executing its text would bypass ``weights_only``), and
:func:`config_differences` lists the fields that differ.
"""
import ast
import fnmatch
from collections.abc import Mapping
from typing import Any, Dict, List, Sequence, Tuple

UNSET = '<unset>'


class Unreadable:
    """A config value that is not a literal (kept as its source text)."""

    def __init__(self, source: str):
        self.source = source

    def __repr__(self) -> str:
        return f'<not a literal: {self.source}>'


def _literal(node: ast.AST) -> Any:
    """Evaluate literals, ``dict(k=v)`` calls and containers of them."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id == 'dict' and not node.args \
            and all(kw.arg is not None for kw in node.keywords):
        return {kw.arg: _literal(kw.value) for kw in node.keywords}
    if isinstance(node, ast.Dict) and None not in node.keys:
        return {_literal(k): _literal(v) for k, v in zip(node.keys,
                                                         node.values)}
    if isinstance(node, ast.List):
        return [_literal(v) for v in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(_literal(v) for v in node.elts)
    return ast.literal_eval(node)


def parse_config_text(text: str) -> Dict[str, Any]:
    """The top-level ``name = value`` fields of a dumped config.

    Values that are not literals become :class:`Unreadable`.
    """
    fields = {}
    for node in ast.parse(text).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            continue
        try:
            value = _literal(node.value)
        except (ValueError, TypeError, SyntaxError):
            value = Unreadable(ast.get_source_segment(text, node.value))
        fields[node.targets[0].id] = value
    return fields


def _normalised(value: Any) -> Any:
    """Tuples as lists, so that a dumped and re-read config compares equal."""
    if isinstance(value, (list, tuple)):
        return [_normalised(v) for v in value]
    return value


def flatten(value: Any, prefix: str) -> Dict[str, Any]:
    """``{'a.b.0.c': leaf}`` for nested dicts and lists of dicts/lists."""
    if isinstance(value, Mapping) and value:
        flat = {}
        for key, item in value.items():
            flat.update(flatten(item, f'{prefix}.{key}'))
        return flat
    if isinstance(value, (list, tuple)) and any(
            isinstance(v, (Mapping, list, tuple)) for v in value):
        flat = {}
        for index, item in enumerate(value):
            flat.update(flatten(item, f'{prefix}.{index}'))
        return flat
    return {prefix: _normalised(value)}


def get_field(cfg: Mapping, path: str, default: Any = None) -> Any:
    """``cfg['a']['b']`` for ``path='a.b'``, or ``default``."""
    value: Any = cfg
    for part in path.split('.'):
        if not isinstance(value, Mapping) or part not in value:
            return default
        value = value[part]
    return value


def matches(field: str, patterns: Sequence[str]) -> bool:
    """Whether ``field`` matches any ``fnmatch`` pattern."""
    return any(fnmatch.fnmatchcase(field, p) for p in patterns)


def config_differences(saved: Mapping,
                       current: Mapping,
                       keys: Sequence[str],
                       ignore: Sequence[str] = ()
                       ) -> List[Tuple[str, Any, Any]]:
    """Fields under ``keys`` whose values differ between two configs.

    A key that is absent or None on either side (e.g. validation turned
    off) is not compared.

    Args:
        saved (Mapping): The checkpoint's config (:func:`parse_config_text`).
        current (Mapping): The current config as a dict.
        keys (Sequence[str]): Dotted fields to compare, e.g.
            ``'train_dataloader.dataset'``.
        ignore (Sequence[str]): ``fnmatch`` patterns of fields to skip.

    Returns:
        list[tuple]: ``(field, saved value, current value)``; a value
        missing on one side is ``'<unset>'``.
    """
    differences = []
    for key in keys:
        old, new = get_field(saved, key), get_field(current, key)
        if old is None or new is None:
            continue
        flat_old, flat_new = flatten(old, key), flatten(new, key)
        for field in list(flat_old) + [f for f in flat_new
                                       if f not in flat_old]:
            if matches(field, ignore):
                continue
            before = flat_old.get(field, UNSET)
            after = flat_new.get(field, UNSET)
            if isinstance(before, Unreadable) or before != after:
                differences.append((field, before, after))
    return differences


__all__ = [
    'UNSET', 'Unreadable', 'config_differences', 'flatten', 'get_field',
    'matches', 'parse_config_text'
]
