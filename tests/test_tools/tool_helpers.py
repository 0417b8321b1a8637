"""Shared helpers of the tools tests: toy configs and importing the tools."""
import importlib.util
import os
import os.path as osp
import sys

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
TOOLS = osp.join(REPO, 'tools')
TOY_DIR = osp.join(REPO, 'tests', 'test_utils')
if TOY_DIR not in sys.path:
    sys.path.insert(0, TOY_DIR)

from dist_testutils import free_port  # noqa: E402,F401  re-exported
from lnl_toy_modules import write_toy_config  # noqa: E402


def load_script(relpath):
    """Import the repository's script ``relpath`` (e.g.
    ``benchmarks/colour_variance/figure.py``) as a module; tools/ and
    benchmarks/ are not packages."""
    name = 'lnl_script_' + osp.splitext(relpath)[0].replace('/', '_')
    spec = importlib.util.spec_from_file_location(name,
                                                  osp.join(REPO, relpath))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_tool(name):
    """Import ``tools/<name>.py`` as a module (tools/ is not a package)."""
    return load_script(osp.join('tools', f'{name}.py'))


def toy_config(tmp_path, **kwargs):
    """Write a toy config into ``tmp_path``; return (config, work_dir)."""
    work_dir = str(tmp_path / 'work_dir')
    return write_toy_config(tmp_path / 'toy.py', work_dir, **kwargs), work_dir


def sample_data_options() -> list:
    """--cfg-options that point all three ColoredMNIST dataloaders at the
    embedded sample, without worker processes, and make an epoch one pass
    over its training digits (not MNIST's 55,000 draws, as the configs'
    EpochLengthSampler makes it)."""
    options = ['train_dataloader.sampler.min_length=None']
    for split in ('train', 'val', 'test'):
        options += [f'{split}_dataloader.dataset.source=sample',
                    f'{split}_dataloader.num_workers=0',
                    f'{split}_dataloader.persistent_workers=False']
    return options


def subprocess_env(**extra):
    """Environment for tool subprocesses: the toy module importable."""
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [REPO, TOY_DIR] + [p for p in [env.get('PYTHONPATH')] if p])
    env.update({key: str(value) for key, value in extra.items()})
    return env


__all__ = [
    'REPO', 'TOOLS', 'free_port', 'load_tool', 'subprocess_env', 'toy_config'
]
