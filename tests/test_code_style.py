"""The code style OpenMMLab projects keep: flake8 (its settings in
setup.cfg) finds nothing in the repository."""
import os.path as osp
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def test_flake8_finds_nothing():
    proc = subprocess.run([sys.executable, '-m', 'flake8'], cwd=REPO,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
