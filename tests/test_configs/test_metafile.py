"""metafile.yml (MMPretrain's model-index format) describes every shipped
config: the paths exist, the parameter counts are the models', and the
results are those of benchmarks/full_scale/results.csv (BlindEye's: of
benchmarks/colour_variance/results.csv, where the searched config ran; the
recommended LNTL's and the wide-h LNTL's: of
benchmarks/beyond_paper_search/results.csv, where the first ran as the
search's winner and the second as the 20-epoch recipe with two --grid
overrides)."""
import csv
import glob
import hashlib
import os.path as osp
import re
import statistics
import sys

import pytest
import yaml
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

import lnl_mm  # noqa: F401

sys.path.insert(0, osp.join(osp.dirname(__file__), '..', 'test_tools'))
from tool_helpers import load_script  # noqa: E402

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
RESULTS = osp.join(REPO, 'benchmarks', 'full_scale', 'results.csv')
#: models whose results come from another study's results.csv
RESULTS_OF = dict(
    blindeye_cmnist=osp.join(
        REPO, 'benchmarks', 'colour_variance', 'results.csv'),
    lnl_cmnist=osp.join(
        REPO, 'benchmarks', 'beyond_paper_search', 'results.csv'),
    lnl_cmnist_wide_h=osp.join(
        REPO, 'benchmarks', 'beyond_paper_search', 'results.csv'))
#: results.csv's method of each model with results
METHOD = dict(lnl_cmnist='lntl_wide_h_mu_step_warmup40',
              lnl_cmnist_20e='lntl_20e', baseline_cmnist='baseline',
              gray_cmnist='gray', blindeye_cmnist='blindeye',
              lnl_cmnist_paper='lntl_paper',
              lnl_cmnist_from_baseline='lntl_2stage_paper',
              lnl_cmnist_wide_h='lntl_20e')
#: results.csv's setting (the sweep's --grid overrides) of each model whose
#: runs are its method's config with overrides; '' for the others
SETTING = dict(
    lnl_cmnist_wide_h='model.bias_head.mid_channels=128+model.bias_steps=5')
#: metafile metric -> results.csv column
METRICS = {
    'Top 1 Accuracy': 'test/accuracy/top1',
    'Colour-conflicting Top 1 Accuracy': 'test/accuracy/conflicting',
    'Leakage Probe Accuracy': 'test/leakage/probe_accuracy',
}


@pytest.fixture(scope='module')
def metafile():
    with open(osp.join(REPO, 'metafile.yml')) as f:
        return yaml.safe_load(f)


@pytest.fixture(scope='module')
def models(metafile):
    return {model['Name']: model for model in metafile['Models']}


def shipped_configs():
    return sorted(
        osp.splitext(osp.basename(path))[0]
        for path in glob.glob(osp.join(REPO, 'configs', '*.py')))


def test_model_index_imports_the_metafile():
    with open(osp.join(REPO, 'model-index.yml')) as f:
        index = yaml.safe_load(f)
    for path in index['Import']:
        assert osp.isfile(osp.join(REPO, path)), path


def test_one_model_per_shipped_config(metafile, models):
    names = [model['Name'] for model in metafile['Models']]
    assert len(names) == len(set(names))
    assert sorted(names) == shipped_configs()
    collections = {c['Name'] for c in metafile['Collections']}
    for collection in metafile['Collections']:
        assert osp.isfile(osp.join(REPO, collection['README']))
    for name, model in models.items():
        assert model['Config'] == f'configs/{name}.py'
        assert osp.isfile(osp.join(REPO, model['Config'])), name
        assert model['In Collection'] in collections, name
        assert {'Epochs', 'Batch Size', 'Parameters',
                'Training Data'} <= set(model['Metadata']), name


def check_weights(name: str, weights: str, root: str = REPO) -> None:
    """A published checkpoint is a file in the repository named
    <config>_<YYYYMMDD>-<first 8 hex digits of its sha256>.pth."""
    path = osp.join(root, weights)
    assert osp.isfile(path), (name, weights)
    match = re.fullmatch(rf'{re.escape(name)}_\d{{8}}-([0-9a-f]{{8}})\.pth',
                         osp.basename(path))
    assert match, weights
    with open(path, 'rb') as f:
        assert hashlib.sha256(f.read()).hexdigest()[:8] == match.group(1), \
            weights


def test_weights_exist_and_are_named_by_their_hash(models):
    published = {name for name, model in models.items() if 'Weights' in model}
    assert {'lnl_cmnist', 'lnl_cmnist_20e', 'baseline_cmnist',
            'gray_cmnist', 'lnl_cmnist_wide_h'} <= published
    for name in published:
        check_weights(name, models[name]['Weights'])


def test_check_weights_catches_bad_entries(tmp_path):
    data = b'weights'
    digest = hashlib.sha256(data).hexdigest()[:8]
    (tmp_path / f'lnl_cmnist_20250101-{digest}.pth').write_bytes(data)
    (tmp_path / 'lnl_cmnist_20250101-00000000.pth').write_bytes(data)
    check_weights('lnl_cmnist', f'lnl_cmnist_20250101-{digest}.pth',
                  str(tmp_path))
    for weights in ('lnl_cmnist_20250101-00000000.pth',   # wrong hash
                    'lnl_cmnist_20250101-ffffffff.pth',   # no such file
                    f'lnl_cmnist_20250101-{digest}.pth'):  # other config
        name = 'gray_cmnist' if weights.endswith(f'{digest}.pth') \
            else 'lnl_cmnist'
        with pytest.raises(AssertionError):
            check_weights(name, weights, str(tmp_path))


@pytest.mark.parametrize('name', shipped_configs())
def test_metadata_is_the_configs(models, name):
    model = models[name]
    cfg = Config.fromfile(osp.join(REPO, model['Config']))
    assert model['Metadata']['Epochs'] == cfg.train_cfg.max_epochs
    assert model['Metadata']['Batch Size'] == cfg.train_dataloader.batch_size
    init_default_scope('mmpretrain')
    built = MODELS.build(cfg.model)
    assert model['Metadata']['Parameters'] == sum(
        p.numel() for p in built.parameters())
    # the config starts with a header comment saying what it is
    with open(osp.join(REPO, model['Config'])) as f:
        header = []
        for line in f:
            if not line.startswith('#'):
                break
            header.append(line)
    assert len(header) >= 2, name


def test_configs_with_a_setting_are_their_measured_runs():
    """A config whose results are its method's runs with --grid overrides
    is exactly the method's config with those overrides."""
    assert SETTING
    # the setting is the sweep's tag of one grid point: parse it as the
    # sweep parsed the --grid values it came from
    parse_grid = load_script('tools/analysis/sweep.py').parse_grid
    for name, setting in SETTING.items():
        base, = (n for n, m in METHOD.items()
                 if m == METHOD[name] and n not in SETTING)
        measured = Config.fromfile(osp.join(REPO, 'configs', f'{base}.py'))
        grid = parse_grid(setting.split('+'))
        assert all(len(values) == 1 for values in grid.values()), setting
        measured.merge_from_dict(
            {key: values[0] for key, values in grid.items()})
        shipped = Config.fromfile(osp.join(REPO, 'configs', f'{name}.py'))
        assert shipped.to_dict() == measured.to_dict(), name


def read_results(path):
    with open(path, newline='') as f:
        return list(csv.DictReader(f))


def test_results_are_the_study_means(models):
    with open(osp.join(REPO, 'README.md'), encoding='utf-8') as f:
        readme = f.read()
    studies = {path: read_results(path)
               for path in {RESULTS, *RESULTS_OF.values()}}
    with_results = {n for n, m in models.items() if m['Results']}
    assert with_results == set(METHOD)
    for name in with_results:
        for result in models[name]['Results']:
            assert result['Task'] == 'Image Classification'
            color_var = float(re.fullmatch(
                r'Colored MNIST \(color_var (0\.\d+)\)',
                result['Dataset']).group(1))
            rows = studies[RESULTS_OF.get(name, RESULTS)]
            runs = [r for r in rows if r['method'] == METHOD[name]
                    and r.get('setting', '') == SETTING.get(name, '')
                    and float(r['color_var']) == color_var]
            assert runs, (name, color_var)
            assert set(result['Metrics']) == set(METRICS)
            for metric, column in METRICS.items():
                mean = statistics.mean(float(r[column]) for r in runs)
                assert result['Metrics'][metric] == round(mean, 1), \
                    (name, color_var, metric)
            # the README's table shows the same numbers
            if color_var == 0.02:
                assert f'{result["Metrics"]["Top 1 Accuracy"]:.1f}' in \
                    readme, name


def test_superseded_recipes_still_resolve():
    """The configs of the superseded recipes behind rows of results.csv."""
    paths = glob.glob(osp.join(REPO, 'benchmarks', 'full_scale',
                               'superseded_recipes', '*.py'))
    assert len(paths) == 4
    for path in paths:
        cfg = Config.fromfile(path)
        assert cfg.model.type == 'LNTLClassifier'
        if 'blindeye' in osp.basename(path):
            # BlindEye at the paper's lambda on the paper-LNTL schedule
            assert cfg.model.uncertainty_loss == 'uniform_ce'
            assert cfg.model.entropy_weight == 0.01
            assert cfg.train_cfg.max_epochs == 10
            continue
        assert cfg.train_cfg.max_epochs == 20
