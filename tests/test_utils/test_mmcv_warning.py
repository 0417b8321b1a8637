"""lnl_mm silences mmcv-lite's MultiScaleDeformableAttention warning, and
nothing else."""
import os
import os.path as osp
import subprocess
import sys
import warnings

import pytest

from lnl_mm import _mmcv_warning

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
WARNING = 'MultiScaleDeformableAttention'
MMCV_MESSAGE = ('Fail to import ``MultiScaleDeformableAttention`` from '
                '``mmcv.ops.multi_scale_deform_attn``, You should install '
                '``mmcv`` rather than ``mmcv-lite`` if you need this module.')


def run_python(*args):
    """stderr of a fresh interpreter that shows every warning (-W always,
    no pytest.ini filters)."""
    env = dict(os.environ, PYTHONPATH=REPO)
    env.pop('PYTHONWARNINGS', None)
    result = subprocess.run([sys.executable, '-W', 'always', *args],
                            cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stderr


@pytest.fixture(scope='module')
def mmcv_warns():
    """Whether this mmcv warns at all (mmcv-lite does; full mmcv has the op
    and says nothing)."""
    return WARNING in run_python('-c', 'import mmcv.cnn.bricks.transformer')


def test_import_lnl_mm_does_not_show_the_warning(mmcv_warns):
    if not mmcv_warns:
        pytest.skip('this mmcv does not issue the warning')
    stderr = run_python('-c', 'import lnl_mm; import mmpretrain.models')
    assert WARNING not in stderr


@pytest.mark.parametrize('tool', ['tools/train.py', 'tools/test.py'])
def test_tools_do_not_show_the_warning(mmcv_warns, tool):
    if not mmcv_warns:
        pytest.skip('this mmcv does not issue the warning')
    assert WARNING not in run_python(tool, '--help')


def test_filter_matches_only_that_warning():
    def shown(message, module, category=UserWarning):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            _mmcv_warning.silence_multiscale_deform_attn_warning()
            warnings.warn_explicit(message, category, 'transformer.py', 33,
                                   module=module)
        return len(caught) == 1

    assert not shown(MMCV_MESSAGE, 'mmcv.cnn.bricks.transformer')
    # the same message from elsewhere, another category, or another message
    # from the same module are still shown
    assert shown(MMCV_MESSAGE, 'mmcv.ops')
    assert shown(MMCV_MESSAGE, 'mmcv.cnn.bricks.transformer', RuntimeWarning)
    assert shown('Fail to import ``MultiScaleDeformableAttn2``',
                 'mmcv.cnn.bricks.transformer')
    assert shown('some other mmcv warning', 'mmcv.cnn.bricks.transformer')
