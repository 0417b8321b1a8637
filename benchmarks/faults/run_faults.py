#!/usr/bin/env python
"""Fault-injection trials against lnl_mm's tools/train.py and tools/test.py.

Every trial runs the real tool in a subprocess (cwd=the repository root) on
a tiny Colored MNIST run (64 training digits, 2 epochs), records the exit
code, the one ``ERROR:`` line (or the key log line) and what changed on disk
(a listing of the faults folder and the repository with sizes + sha1, before
and after), and the table is written to <faults folder>/table.md (folder:
$LNL_MM_FAULTS_DIR, default /tmp/lnl_mm_faults). Logs of every run:
<faults folder>/logs.

Usage:
    OMP_NUM_THREADS=1 python benchmarks/faults/run_faults.py [PREFIX ...]
(with trial id prefixes only the matching trials run, after the two good
runs).
"""
import hashlib
import os
import os.path as osp
import pickle
import re
import shutil
import stat
import subprocess
import sys
import time

ROOT = os.environ.get('LNL_MM_FAULTS_DIR', '/tmp/lnl_mm_faults')
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)  # this checkout's lnl_mm, not an installed one
LOGS = osp.join(ROOT, 'logs')
INPUTS = osp.join(ROOT, 'inputs')
PY = sys.executable
BASE_CFG = 'configs/baseline_cmnist.py'
LNTL_CFG = 'configs/lnl_cmnist_paper.py'
PAUSE_CFG = {'base': osp.join(ROOT, 'cfg_pause_baseline_cmnist.py'),
             'lntl': osp.join(ROOT, 'cfg_pause_lnl_cmnist_paper.py')}


def INDICES(*r):
    return '[' + ','.join(map(str, range(*r))) + ']'


TINY = [
    f'{split}_dataloader.{key}' for key in (
        'dataset.source=sample',) for split in ('train', 'val', 'test')
] + [
    # the splits are sorted by class, so indices=64 (the first 64) would be
    # digits '0' only: take every 55th / 16th / 32nd (all ten classes)
    'train_dataloader.dataset.indices=' + INDICES(0, 3500, 55),
    'val_dataloader.dataset.indices=' + INDICES(0, 500, 16),
    'test_dataloader.dataset.indices=' + INDICES(0, 1000, 32),
] + [
    f'{split}_dataloader.{key}'
    for key in ('num_workers=0', 'persistent_workers=False')
    for split in ('train', 'val', 'test')
] + [
    'train_dataloader.batch_size=32',
    'train_cfg.max_epochs=2',
]
# one checkpoint per epoch (epoch_1.pth exists to resume from / be killed
# after); LNTL: 1 warm-up epoch so that epoch 2 runs the unlearning phase
EVERY_EPOCH = ['default_hooks.checkpoint.interval=1']
LNTL_OPTS = ['model.pretrain_epochs=1']

# the repository first: the tools import its lnl_mm, not an installed one
ENV = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1',
           PYTHONPATH=os.pathsep.join(
               [osp.dirname(osp.abspath(__file__)), REPO]
               + [p for p in [os.environ.get('PYTHONPATH')] if p]))
ENV.pop('FAULTS_PAUSE_MARKER', None)

NOISE = ('"FileClient" will be deprecated', '"HardDiskBackend" is the alias',
         'MultiScaleDeformableAttention')
LOG_PREFIX = re.compile(r'^\d\d/\d\d \d\d:\d\d:\d\d - mmengine - '
                        r'(?:(ERROR) - \S+ - \w+ - \d+ - )?')
TS = re.compile(r'\d{8}_\d{6}')

ROWS = []


# ----------------------------------------------------------------------
# disk listing
# ----------------------------------------------------------------------
_sha_cache = {}


def _sha1(path, st):
    key = (path, st.st_size, st.st_mtime_ns, st.st_ino)
    if key not in _sha_cache:
        h = hashlib.sha1()
        with open(path, 'rb') as f:
            for chunk in iter(lambda: f.read(1 << 20), b''):
                h.update(chunk)
        _sha_cache[key] = h.hexdigest()
    return _sha_cache[key]


SKIP_TOP = {'logs', 'cache', 'table.md', 'run_faults.py', '__pycache__',
            'faulthooks.py', 'cfg_pause_baseline_cmnist.py',
            'cfg_pause_lnl_cmnist_paper.py', 'run_faults.out'}


def snapshot():
    """{path: (size, sha1) | 'dir' | ...} of the faults folder (minus
    the driver's own files) and of what a run could add to the repository."""
    out = {}
    # the repository: only what a tool run could add there is listed (its
    # source files are not part of a trial's outcome): the top-level names,
    # and everything under work_dirs/ and data/
    for name in os.listdir(REPO):
        path = osp.join(REPO, name)
        out[path + ('/' if osp.isdir(path) else '')] = 'entry'
    roots = [(ROOT, SKIP_TOP)] + [(osp.join(REPO, d), set())
                                  for d in ('work_dirs', 'data')
                                  if osp.isdir(osp.join(REPO, d))]
    for top, skip in roots:
        for dirpath, dirnames, filenames in os.walk(top):
            rel = osp.relpath(dirpath, top)
            if rel == '.':
                dirnames[:] = [d for d in dirnames if d not in skip]
                filenames = [f for f in filenames if f not in skip]
            dirnames[:] = [d for d in dirnames if d != '__pycache__']
            out[dirpath + '/'] = 'dir'
            for name in filenames:
                path = osp.join(dirpath, name)
                try:
                    st = os.lstat(path)
                    if stat.S_ISREG(st.st_mode):
                        out[path] = (st.st_size, _sha1(path, st))
                    else:
                        out[path] = 'special'
                except OSError:
                    pass
    return out


def _short_path(path):
    if path.startswith(ROOT + '/'):
        path = path[len(ROOT) + 1:]
    return TS.sub('<ts>', path)


def disk_diff(before, after, limit=260):
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(p for p in set(before) & set(after)
                     if before[p] != after[p])
    if not (added or removed or changed):
        return 'no'
    parts = []
    # added: collapse timestamped log dirs, list the rest
    groups = {}
    for p in added:
        sp = _short_path(p)
        m = re.match(r'(.*?<ts>/)', sp)
        if m:
            groups.setdefault(m.group(1), []).append(p)
        elif after[p] == 'dir':
            # a new dir is shown only if nothing new lies inside it
            if not any(q != p and q.startswith(p) for q in added):
                parts.append(f'+{sp} (empty dir)')
        else:
            parts.append(f'+{sp} ({after[p][0]} B)')
    for g, ps in groups.items():
        n = sum(1 for p in ps if after[p] != 'dir')
        parts.append(f'+{g} (log dir, {n} files)')
    for p in changed:
        parts.append(f'~{_short_path(p)} (changed)')
    for p in removed:
        parts.append(f'-{_short_path(p)}')
    text = 'yes: ' + ', '.join(parts)
    return text if len(text) <= limit else text[:limit - 12] + ' …(more)'


# ----------------------------------------------------------------------
# running the tools
# ----------------------------------------------------------------------
def shorten(text, n=200):
    text = ' '.join(text.split())
    return text if len(text) <= n else text[:n - 1] + '…'


def _level(m):
    return f'{m.group(1)} - ' if m.group(1) else ''


def key_message(output, keys=()):
    """The ERROR: line; else the first line matching ``keys``; else a
    traceback's last line; else the first non-noise WARNING/ERROR log line;
    else None."""
    lines = output.splitlines()
    for line in lines:
        if line.startswith('ERROR:'):
            return line
    for key in keys:
        for line in lines:
            if re.search(key, line):
                return LOG_PREFIX.sub(_level, line)
    if 'Traceback (most recent call last)' in output:
        tail = [line for line in lines if line.strip()]
        return 'Traceback → ' + tail[-1]
    for line in lines:
        if re.search(r' - mmengine - (WARNING|ERROR) - ', line) and \
                not any(n in line for n in NOISE):
            return LOG_PREFIX.sub(_level, line)
    return None


def metrics_summary(output):
    m = re.search(r'Test metrics of .*?:\n((?:.+: .+\n?)+)', output)
    if not m:
        return None
    items = [line.split(': ') for line in m.group(1).splitlines()]
    keep = [f'{k}={float(v):g}' for k, v in items
            if k.startswith('accuracy/') and k.split('/')[1] in (
                'top1', 'bias_head')]
    return 'metrics: ' + ', '.join(keep)


def run_tool(trial, args, timeout=240, env=None):
    log = osp.join(LOGS, f'{trial}.log')
    t0 = time.time()
    cmd = ['bash'] + args if args[0].endswith('.sh') else [PY] + args
    try:
        proc = subprocess.run(cmd, cwd=REPO, env=env or ENV,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              timeout=timeout)
        rc, out = proc.returncode, proc.stdout
    except subprocess.TimeoutExpired as e:
        rc, out = 'timeout', (e.stdout or b'').decode() if isinstance(
            e.stdout, bytes) else (e.stdout or '')
    with open(log, 'w') as f:
        f.write(f'$ cd {REPO} && {" ".join(cmd)}\n'
                f'# rc={rc} {time.time() - t0:.1f}s\n{out}')
    return rc, out


def train_args(cfg, work_dir, extra=(), cli=(), lntl=None):
    lntl = ('lnl_cmnist' in cfg) if lntl is None else lntl
    opts = TINY + EVERY_EPOCH + (LNTL_OPTS if lntl else []) + list(extra)
    return ['tools/train.py', cfg, '--work-dir', work_dir] + list(cli) + \
        ['--cfg-options'] + opts


def test_args(cfg, ckpt, work_dir, extra=(), cli=()):
    return ['tools/test.py', cfg, ckpt, '--work-dir', work_dir] + \
        list(cli) + ['--cfg-options'] + TINY + list(extra)


def summary_of(args):
    """A short command summary: tool, config, key args and the non-TINY
    --cfg-options."""
    args = list(args)
    i = args.index('--cfg-options') if '--cfg-options' in args else len(args)
    head, opts = args[:i], args[i + 1:]
    extra = [o for o in opts if o not in TINY and o not in EVERY_EPOCH
             and o not in LNTL_OPTS]
    head = [h.replace('configs/', '').replace(ROOT + '/', '') for h in head]
    text = ('bash ' if head[0].endswith('.sh') else 'python ') + \
        ' '.join(head)
    if extra:
        text += ' + ' + ' '.join(
            e.replace(ROOT + '/', '') for e in extra)
    return text


def focus_on(message, focus, n=200):
    """Shorten ``message`` to its head and the part matching ``focus``."""
    message = ' '.join(message.split())
    m = focus and re.search(focus, message)
    if len(message) <= n or not m:
        return shorten(message, n)
    if m.start() <= 90:
        return shorten(message[:m.start()] + m.group(0), n)
    part = shorten(m.group(0), n - 93)
    return shorten(message[:n - len(part) - 3], n - len(part) - 3) + \
        ' … ' + part


def record(tid, name, args, rc, out, diff, keys=(), checks='', msg=None,
           focus=None):
    message = msg or key_message(out, keys) or metrics_summary(out) or \
        ('(no error; ran to the end)' if rc == 0 else '(no message)')
    message = message.replace(ROOT + '/', '')
    ROWS.append(dict(tid=tid, name=name, cmd=summary_of(args), rc=rc,
                     msg=focus_on(message, focus), disk=diff,
                     checks=checks))
    print(f'[{tid}] rc={rc} {shorten(message, 150)}\n      disk: {diff}'
          f'\n      {checks}', flush=True)


def trial(tid, name, args, keys=(), checks_fn=None, setup=None,
          timeout=240, env=None, force=False, focus=None):
    if SELECT and not force and not any(tid.startswith(s) for s in SELECT):
        return None
    if setup:
        setup()
    before = snapshot()
    rc, out = run_tool(tid, args, timeout=timeout, env=env)
    after = snapshot()
    checks = checks_fn(out) if checks_fn else ''
    record(tid, name, args, rc, out, disk_diff(before, after), keys, checks,
           focus=focus)
    return rc, out


# ----------------------------------------------------------------------
# checkpoint helpers (run in this process)
# ----------------------------------------------------------------------
def _lnl():
    import lnl_mm  # noqa: F401
    from lnl_mm.utils import read_checkpoint
    return read_checkpoint


def state_of(path):
    return _lnl()(path, map_location='cpu')['state_dict']


def non_finite_ckpts(work_dir):
    """'none' or the checkpoint files (*.pth, *.tmp) of work_dir holding
    NaN/inf weights (unreadable ones are named too)."""
    import torch
    bad, seen = [], 0
    if not osp.isdir(work_dir):
        return 'no work dir'
    for name in sorted(os.listdir(work_dir)):
        if not (name.endswith('.pth') or name.endswith('.tmp')):
            continue
        seen += 1
        try:
            sd = state_of(osp.join(work_dir, name))
        except Exception as e:  # noqa
            bad.append(f'{name} (unreadable: {type(e).__name__})')
            continue
        if any(torch.is_tensor(v) and v.is_floating_point()
               and not torch.isfinite(v).all() for v in sd.values()):
            bad.append(name)
    files = ', '.join(sorted(n for n in os.listdir(work_dir)
                             if n.endswith('.pth'))) or 'none'
    return (f'checkpoints: {files}; with NaN/inf weights: '
            f'{", ".join(bad) if bad else "none"}')


def count(pattern, out):
    return len(re.findall(pattern, out))


def equal_states(a, b):
    import torch
    sa, sb = state_of(a), state_of(b)
    if sa.keys() != sb.keys():
        return f'different keys ({len(sa)} vs {len(sb)})'
    diff = [k for k in sa if not torch.equal(sa[k], sb[k])]
    if not diff:
        return f'equal (all {len(sa)} tensors torch.equal)'
    mx = max(float((sa[k].double() - sb[k].double()).abs().max())
             for k in diff)
    return f'NOT equal: {len(diff)}/{len(sa)} tensors differ (max |diff| ' \
           f'{mx:.3g}; e.g. {diff[0]})'


def copy_run(src, dst, last=None):
    """Copy a good run's work dir; point last_checkpoint at ``last``."""
    if osp.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    if last is not None:
        with open(osp.join(dst, 'last_checkpoint'), 'w') as f:
            f.write(osp.join(dst, last))


def fresh(path):
    if osp.islink(path) or osp.isfile(path):
        os.remove(path)
    elif osp.isdir(path):
        os.chmod(path, 0o755)
        shutil.rmtree(path)


# ----------------------------------------------------------------------
# the trials
# ----------------------------------------------------------------------
def good_runs():
    """The two good runs whose checkpoints the trials copy and corrupt."""
    for tid, cfg, wd in (('G1', BASE_CFG, 'good_base'),
                         ('G2', LNTL_CFG, 'good_lntl')):
        if SELECT and osp.exists(f'{ROOT}/{wd}/epoch_2.pth') and \
                not any(tid.startswith(s) for s in SELECT):
            continue
        fresh(osp.join(ROOT, wd))
        trial(tid, f'good {cfg.split("/")[-1]} run (reference)',
              train_args(cfg, f'{ROOT}/{wd}'),
              checks_fn=lambda out, wd=wd: non_finite_ckpts(
                  f'{ROOT}/{wd}'), force=True)


def t1_t2_non_finite():
    for policy in ('stop', 'skip', 'warn'):
        for kind, cfg, lr in (('base', BASE_CFG, 'optim_wrapper.optimizer.lr'),
                              ('lntl', LNTL_CFG,
                               'optim_wrapper.main.optimizer.lr')):
            tid = {'stop': '1', 'skip': '2', 'warn': '2'}[policy] + \
                {'stop': '', 'skip': 's', 'warn': 'w'}[policy] + \
                ('a' if kind == 'base' else 'b')
            wd = f'{ROOT}/t{tid}_lr1000_{kind}_{policy}'
            extra = [f'{lr}=1000']
            if policy != 'stop':
                extra.append(f'default_hooks.non_finite.policy={policy}')
            trial(tid, f'lr=1000, non_finite policy={policy} ({kind})',
                  train_args(cfg, wd, extra),
                  keys=(r'Non-finite loss', ),
                  setup=lambda wd=wd: fresh(wd),
                  checks_fn=lambda out, wd=wd: (
                      'epoch_2.pth written: ' + ('yes' if osp.exists(
                          f'{wd}/epoch_2.pth') else 'NO') + '; '
                      f'{non_finite_ckpts(wd)}; "Non-finite loss" logged '
                      f'{count("Non-finite loss at", out)}x; "Not saving" '
                      f'(NaN model) logged {count("Not saving", out)}x'))


class Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}', ))


def make_inputs():
    """The bad checkpoint files of trials 3-5."""
    import torch
    import torchvision
    fresh(INPUTS)
    os.makedirs(INPUTS)
    good = f'{ROOT}/good_base/epoch_2.pth'
    p = lambda n: osp.join(INPUTS, n)  # noqa
    with open(p('notes.txt'), 'w') as f:
        f.write('epoch 2 looked fine; accuracy 0.98\n')
    open(p('empty.pth'), 'w').close()
    data = open(good, 'rb').read()
    with open(p('truncated.pth'), 'wb') as f:
        f.write(data[:len(data) // 2])
    os.makedirs(p('a_dir.pth'))
    with open(p('plain.pkl'), 'wb') as f:
        pickle.dump({'epoch': 2, 'lr': 0.01, 'weights': [0.1, 0.2]}, f)
    torch.save(torchvision.models.resnet18().state_dict(), p('resnet18.pth'))
    ck = torch.load(good, map_location='cpu', weights_only=False)
    evil = dict(ck, meta=dict(ck['meta'], note=Evil(p('PWNED_torchsave'))))
    torch.save(evil, p('evil_torchsave.pth'))
    with open(p('evil_pickle.pth'), 'wb') as f:
        pickle.dump({'state_dict': {}, 'x': Evil(p('PWNED_pickle'))}, f)
    torch.save([v for v in ck['state_dict'].values()], p('tensor_list.pth'))
    torch.save({'model': ck['state_dict']}, p('under_model_key.pth'))
    nan = dict(ck, state_dict=dict(ck['state_dict']))
    nan['state_dict']['head.fc.weight'] = torch.full_like(
        nan['state_dict']['head.fc.weight'], float('nan'))
    torch.save(nan, p('nan_head.pth'))
    bad = dict(ck, state_dict=dict(ck['state_dict']))
    bad['state_dict']['head.fc.weight'] = torch.zeros(12, 64)
    bad['state_dict']['head.fc.bias'] = torch.zeros(12)
    torch.save(bad, p('head_12x64.pth'))
    nob = dict(ck, state_dict={k: v for k, v in ck['state_dict'].items()
                               if not k.startswith('backbone.g.')})
    torch.save(nob, p('no_backbone_g.pth'))
    return p


def untrusted_list(out):
    """What the untrusted-checkpoint message names as untrusted."""
    m = re.search(r"^ERROR: Refusing to load .*?: it holds (.*?), which "
                  r"lnl_mm does not trust", out, re.M)
    if not m:
        return ''
    names = m.group(1).split(', ')
    return (f'; the message names {len(names)} global(s) as untrusted: '
            f'{", ".join(n.split(".")[-1] for n in names)}')


def t3_t5_test_inputs():
    p = make_inputs()
    good = f'{ROOT}/good_base/epoch_2.pth'
    cases = [
        ('3a', 'text file as checkpoint', p('notes.txt')),
        ('3b', 'empty file (0 B)', p('empty.pth')),
        ('3c', 'truncated checkpoint (first half)', p('truncated.pth')),
        ('3d', 'a directory (named *.pth)', p('a_dir.pth')),
        ('3d2', 'a work dir holding checkpoints', f'{ROOT}/good_base'),
        ('3e', 'missing path', p('missing.pth')),
        ('3e2', 'missing relative path', 'work_dirs/nope/epoch_2.pth'),
        ('3f', 'plain pickle.dump of a dict', p('plain.pkl')),
        ('3g', 'torchvision resnet18 state dict', p('resnet18.pth')),
        ('3h', 'torch.save with os.system __reduce__',
         p('evil_torchsave.pth')),
        ('3i', 'pickle.dump with os.system __reduce__', p('evil_pickle.pth')),
        ('3j', 'torch.save of a list of tensors', p('tensor_list.pth')),
        ('3k', "weights under 'model' key", p('under_model_key.pth')),
        ('3l', 'real checkpoint, NaN head weights', p('nan_head.pth')),
        ('3z', 'control: the good baseline checkpoint', good),
    ]
    for tid, name, ck in cases:
        wd = f'{ROOT}/t{tid}_test'
        marker = {'3h': p('PWNED_torchsave'), '3i': p('PWNED_pickle')}.get(tid)
        checks = (lambda out, m=marker: 'payload ran: ' + (
            f'YES ({osp.basename(m)} created)' if osp.exists(m) else
            f'no ({osp.basename(m)} not created)') + untrusted_list(out)) \
            if marker else None
        trial(tid, f'test.py: {name}', test_args(BASE_CFG, ck, wd),
              setup=lambda wd=wd: fresh(wd), checks_fn=checks)
    # 4: LNTL config on a baseline checkpoint (no bias head)
    wd = f'{ROOT}/t4_test'
    trial('4', 'test.py LNTL config on a baseline checkpoint',
          test_args(LNTL_CFG, good, wd), setup=lambda: fresh(wd),
          keys=(r'has no weights for', ),
          checks_fn=lambda out: (metrics_summary(out) or 'no metrics') + (
              ' (3z, baseline config: ' + str(metrics_summary(
                  open(f'{LOGS}/3z.log').read()) if osp.exists(
                      f'{LOGS}/3z.log') else '?') + ')') + (
              '; bias_head metric left out' if 'accuracy/bias_head' not in
              out.split('Test metrics of')[-1] else
              '; accuracy/bias_head PRINTED') + (
              '; final Note printed' if '\nNote: ' in out else
              '; no final Note'))
    wd = f'{ROOT}/t4b_test'
    trial('4b', 'test.py baseline config on an LNTL checkpoint',
          test_args(BASE_CFG, f'{ROOT}/good_lntl/epoch_2.pth', wd),
          setup=lambda: fresh(wd), keys=(r'holds weights this model',),
          checks_fn=lambda out: metrics_summary(out) or 'no metrics')
    for tid, name, ck in (('5', 'mis-shaped head (12x64)',
                           p('head_12x64.pth')),
                          ('5b', 'backbone.g.* weights removed',
                           p('no_backbone_g.pth'))):
        wd = f'{ROOT}/t{tid}_test'
        trial(tid, f'test.py baseline config, {name}',
              test_args(BASE_CFG, ck, wd), setup=lambda wd=wd: fresh(wd),
              focus=r'(weights of another shape|missing weights): .*?'
              r'(?=\. Refused)')


def t6_t7_resume():
    gb, gl = f'{ROOT}/good_base', f'{ROOT}/good_lntl'
    resume = ['--resume']

    def rtrial(tid, name, cfg, src, last, extra=(), cli=resume, keys=(),
               checks_fn=None, prep=None,
               focus=r'trained with: .*?(?= Resuming)'):
        wd = f'{ROOT}/t{tid}_resume'

        if SELECT and not any(tid.startswith(s) for s in SELECT):
            return None
        copy_run(src, wd, last)
        if prep:
            prep(wd)
        return trial(tid, name, train_args(cfg, wd, extra, cli(wd) if
                                           callable(cli) else cli),
                     keys=keys, checks_fn=checks_fn, focus=focus)

    def resumed_from(out):
        m = re.search(r'resumed epoch: (\d+), iter: (\d+)', out)
        done = re.findall(r'Epoch\(train\) \[(\d+)\]', out)
        return (f'resumed at epoch {m.group(1)}' if m else 'no resume') + \
            (f'; trained epoch(s) {sorted(set(done))}' if done else
             '; trained nothing')

    rtrial('6a', 'resume with color_var 0.02→0.05', BASE_CFG, gb,
           'epoch_1.pth', ['train_dataloader.dataset.color_var=0.05'])
    rtrial('6b', 'same, allowed by allow_changes', BASE_CFG, gb, 'epoch_1.pth',
           ['train_dataloader.dataset.color_var=0.05',
            'default_hooks.resume_check.allow_changes='
            '[train_dataloader.dataset.color_var]'],
           keys=(r'deliberate change', ), checks_fn=resumed_from)
    rtrial('6c', 'resume with optimizer lr 0.01→0.02', BASE_CFG, gb,
           'epoch_1.pth', ['optim_wrapper.optimizer.lr=0.02'])
    rtrial('6c2', 'resume LNTL with main lr 0.01→0.02', LNTL_CFG, gl,
           'epoch_1.pth', ['optim_wrapper.main.optimizer.lr=0.02'])
    rtrial('6d', 'resume with max_epochs 2→3', BASE_CFG, gb, 'epoch_2.pth',
           ['train_cfg.max_epochs=3'], keys=(r'Resume: ', ),
           checks_fn=resumed_from)
    rtrial('6e', 'resume baseline config from an LNTL run dir', BASE_CFG, gl,
           'epoch_1.pth')
    rtrial('7a', 'last_checkpoint names a missing file', BASE_CFG, gb,
           'epoch_9.pth')
    rtrial('7a2', 'last_checkpoint is empty', BASE_CFG, gb, '',
           prep=lambda wd: open(osp.join(wd, 'last_checkpoint'), 'w').close())
    rtrial('7b', '--resume best_*.pth (no optimizer state)', BASE_CFG, gb,
           None, cli=lambda wd: ['--resume', osp.join(wd, [
               n for n in sorted(os.listdir(wd))
               if n.startswith('best_')][0])])
    rtrial('7c', '--resume PATH that does not exist', BASE_CFG, gb, None,
           cli=lambda wd: ['--resume', osp.join(wd, 'epoch_7.pth')])
    rtrial('7d', '--resume PATH = truncated checkpoint', BASE_CFG, gb, None,
           cli=lambda wd: ['--resume', f'{INPUTS}/truncated.pth'])
    wd = f'{ROOT}/t7e_resume'
    trial('7e', '--resume in an empty work dir', train_args(
        BASE_CFG, wd, cli=['--resume']), setup=lambda: fresh(wd),
        checks_fn=resumed_from)


def t8_work_dir():
    ro = f'{ROOT}/t8a_ro'

    def setup_ro():
        fresh(ro)
        os.makedirs(ro)
        os.chmod(ro, 0o555)
    trial('8a', 'work dir chmod 555 (running as root)',
          train_args(BASE_CFG, ro), setup=setup_ro,
          checks_fn=lambda out: (
              f'euid={os.geteuid()}: root ignores the mode, training '
              'ran and wrote' if os.geteuid() == 0 else ''))
    if osp.isdir(ro):
        os.chmod(ro, 0o755)
    afile = f'{ROOT}/t8_afile'

    def setup_file():
        fresh(afile)
        with open(afile, 'w') as f:
            f.write('a regular file\n')
    trial('8b', 'train --work-dir under a regular file',
          train_args(BASE_CFG, f'{afile}/sub'), setup=setup_file)
    trial('8c', 'test --work-dir under a regular file',
          test_args(BASE_CFG, f'{ROOT}/good_base/epoch_2.pth',
                    f'{afile}/sub'), setup=setup_file)
    trial('8d', '--work-dir is a regular file', train_args(BASE_CFG, afile),
          setup=setup_file)
    wd = f'{ROOT}/t8e_nospace'
    trial('8e', 'checkpoint.min_free_bytes=1e15 (simulated full disk)',
          train_args(BASE_CFG, wd, [
              'default_hooks.checkpoint.min_free_bytes=1000000000000000']),
          setup=lambda: fresh(wd))
    wd = f'{ROOT}/t8f_loadfrom'
    trial('8f', 'train load_from=<text file>',
          train_args(BASE_CFG, wd, [f'load_from={INPUTS}/notes.txt']),
          setup=lambda: fresh(wd))


def write_pause_config(kind):
    """The config of the kill trials: the shipped config plus PauseHook
    (benchmarks/faults/faulthooks.py, on the trials' PYTHONPATH)."""
    base = BASE_CFG if kind == 'base' else LNTL_CFG
    with open(PAUSE_CFG[kind], 'w') as f:
        f.write(f"_base_ = [{osp.join(REPO, base)!r}]\n"
                "custom_imports = dict(imports=['lnl_mm', 'faulthooks'], "
                "allow_failed_imports=False)\n"
                "custom_hooks = [dict(type='PauseHook')]\n")


def t9_kill(kind):
    """kill -9 in epoch 2 (after its 1st iteration), then --resume."""
    import signal as _s
    write_pause_config(kind)
    cfg = PAUSE_CFG[kind]
    tidk = '9' if kind == 'base' else '9L'
    if SELECT and not any(tidk.startswith(s) for s in SELECT):
        return
    ref = f'{ROOT}/t{tidk}_ref'
    ref2 = f'{ROOT}/t{tidk}_ref2'
    run = f'{ROOT}/t{tidk}_killed'
    for wd in (ref, ref2, run):
        fresh(wd)
    lntl = kind == 'lntl'
    trial(f'{tidk}r', f'uninterrupted reference ({kind}, +PauseHook off)',
          train_args(cfg, ref, lntl=lntl))
    trial(f'{tidk}r2', 'second uninterrupted run (determinism control)',
          train_args(cfg, ref2, lntl=lntl),
          checks_fn=lambda out: 'epoch_2.pth vs reference: ' + equal_states(
              f'{ref}/epoch_2.pth', f'{ref2}/epoch_2.pth'))
    # the killed run
    marker = f'{LOGS}/pause_{kind}.marker'
    if osp.exists(marker):
        os.remove(marker)
    args = train_args(cfg, run, lntl=lntl)
    env = dict(ENV, FAULTS_PAUSE_MARKER=marker)
    before = snapshot()
    log = open(f'{LOGS}/{tidk}k.log', 'w')
    proc = subprocess.Popen([PY] + args, cwd=REPO, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    t0 = time.time()
    while not osp.exists(marker) and proc.poll() is None and \
            time.time() - t0 < 240:
        time.sleep(0.2)
    time.sleep(0.5)
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, _s.SIGKILL)
    rc = proc.wait()
    log.close()
    out = open(f'{LOGS}/{tidk}k.log').read()
    after = snapshot()
    tmps = [n for n in os.listdir(run) if n.endswith('.tmp')]
    last = open(f'{run}/last_checkpoint').read().strip() \
        if osp.exists(f'{run}/last_checkpoint') else None
    record(f'{tidk}k', f'kill -9 in epoch 2, iteration 1 ({kind})', args, rc,
           out, disk_diff(before, after),
           msg=f'SIGKILL sent after epoch 2 iteration 1 (killed={killed}); '
           f'last_checkpoint → {last and osp.basename(last)}',
           checks=f'*.tmp left by the kill: {tmps or "none"}')
    # a stale temp file as a save killed mid-write leaves (same name form)
    stale = f'{run}/.epoch_2.pth.999999.tmp'
    with open(stale, 'wb') as f:
        f.write(b'PK\x03\x04 partial')

    def checks(out):
        left = [n for n in os.listdir(run) if n.endswith('.tmp')]
        m = re.search(r'resumed epoch: (\d+)', out)
        return (f'resumed at epoch {m.group(1) if m else "?"}; planted '
                f'stale .epoch_2.pth.999999.tmp removed: '
                f'{"yes" if not osp.exists(stale) else "NO"}; *.tmp left: '
                f'{left or "none"}; final epoch_2.pth vs uninterrupted: '
                + equal_states(f'{ref}/epoch_2.pth', f'{run}/epoch_2.pth'))
    trial(f'{tidk}R', '--resume after the kill (+ a planted stale .tmp)',
          train_args(cfg, run, cli=['--resume'], lntl=lntl),
          keys=(r'partial file of an interrupted', ), checks_fn=checks)


def t10_misc():
    good = f'{ROOT}/good_base/epoch_2.pth'
    wd = f'{ROOT}/t10a_amp'
    trial('10a', '--amp on a CPU-only machine',
          train_args(BASE_CFG, wd, cli=['--amp']), setup=lambda: fresh(wd))
    wd = f'{ROOT}/t10b_typo'
    trial('10b', 'typo in a dataset option (colour_var)',
          train_args(BASE_CFG, wd,
                     ['train_dataloader.dataset.colour_var=0.05']),
          setup=lambda: fresh(wd))
    wd = f'{ROOT}/t10c_out'
    trial('10c', 'test --out metrics.txt (bad suffix)',
          test_args(BASE_CFG, good, wd, cli=['--out', f'{wd}/m.txt']),
          setup=lambda: fresh(wd))
    wd = f'{ROOT}/t10d_tta'
    trial('10d', 'test --tta with a config without TTA',
          test_args(BASE_CFG, good, wd, cli=['--tta']),
          setup=lambda: fresh(wd))
    wd = f'{ROOT}/t10e_policy'
    trial('10e', 'non_finite.policy=ignore (invalid value)',
          train_args(BASE_CFG, wd, ['default_hooks.non_finite.policy=ignore']),
          setup=lambda: fresh(wd))


def selected(group):
    """Whether a trial of ``group`` (an id prefix) may run."""
    return not SELECT or any(s.startswith(group) or group.startswith(s)
                             for s in SELECT)


def t11_config_mistakes():
    """Config mistakes: one ERROR line before anything runs, nothing
    written; the Checks column times check_config in this process on the
    same merged config."""
    if not selected('11'):
        return
    lntl, base = 'configs/lnl_cmnist.py', BASE_CFG
    cases = [
        ('11a', 'model.bias_steps=0', lntl, ['model.bias_steps=0']),
        ('11b', 'model.entropy_weight=nan', lntl,
         ['model.entropy_weight=nan']),
        ('11c', 'head num_classes 5 (data: 10 classes)', lntl,
         ['model.head.num_classes=5']),
        ('11d', 'bias_head num_bins 3 (data: 8 colour bins)', lntl,
         ['model.bias_head.num_bins=3']),
        ('11e', 'batch_size=0', lntl, ['train_dataloader.batch_size=0']),
        ('11f', 'main optimizer lr=-1', lntl,
         ['optim_wrapper.main.optimizer.lr=-1']),
        ('11g', 'baseline: optimizer lr=-1', base,
         ['optim_wrapper.optimizer.lr=-1']),
        ('11h', 'baseline: head num_classes 5', base,
         ['model.head.num_classes=5']),
        ('11i', 'bias_head ignore_index 254 (data: 255)', lntl,
         ['model.bias_head.ignore_index=254']),
        ('11j', 'per-image bias head num_classes 5 (data: 10 colours)',
         'configs/lnl_cmnist_image_bias.py',
         ['model.bias_head.num_classes=5']),
        ('11k', 'backbone in_channels 1 (RGB images)', lntl,
         ['model.backbone.in_channels=1']),
        ('11m', 'typo in a model option (num_bin)', lntl,
         ['model.bias_head.num_bin=3']),
    ]
    for tid, name, cfg, extra in cases:
        wd = f'{ROOT}/t{tid}_cfg'
        args = train_args(cfg, wd, extra)
        trial(tid, name, args, setup=lambda wd=wd: fresh(wd),
              checks_fn=lambda out, args=args: preflight_time(args))
    wd = f'{ROOT}/t11n_cfg'
    args = test_args(lntl, f'{ROOT}/t11n_missing.pth', wd,
                     ['model.bias_head.num_bins=3'])
    trial('11n', 'test.py: bias_head num_bins 3 (checkpoint not read)',
          args, setup=lambda: fresh(wd),
          checks_fn=lambda out: preflight_time(args))
    wd = f'{ROOT}/t11o_cfg'
    args = ['tools/dist_train.sh', lntl, '2'] + train_args(
        lntl, wd, ['model.bias_steps=0'])[2:]
    env = dict(ENV, PORT='29731')
    trial('11o', 'dist_train.sh, 2 CPU processes: model.bias_steps=0', args,
          setup=lambda: fresh(wd), env=env,
          checks_fn=lambda out: (
              f'ERROR lines: {count("(?m)^ERROR", out)}; torchrun report: '
              + ('yes' if 'ChildFailedError' in out else 'no')))
    # the generic folder config on a tiny folder
    folder = make_folder(f'{ROOT}/t11_folder')
    bad = make_folder(f'{ROOT}/t11_folder_bad_label', bad_label=True)
    cases = [
        ('11p', 'folder: head num_classes 3 (classes=2)', folder,
         ['model.head.num_classes=3']),
        ('11q', 'folder: bias head num_classes 3 (bias_classes=2)', folder,
         ['model.bias_head.num_classes=3']),
        ('11r', 'folder: label 2 in meta/val.txt (classes=2)', bad, []),
        ('11s', 'folder: f_stages=3 (h reads 256 channels)', folder,
         ['model.backbone.f_stages=3']),
        ('11z', 'folder: control, a good 1-epoch run', folder, []),
    ]
    for tid, name, root, extra in cases:
        wd = f'{ROOT}/t{tid}_cfg'
        args = folder_args(wd, root, extra)
        trial(tid, name, args, setup=lambda wd=wd: fresh(wd),
              checks_fn=lambda out, args=args: preflight_time(args))


def t12_data_root():
    """A data_root that is a file, an unreadable folder or a folder of the
    wrong thing, for Colored MNIST (source=idx, the train split) and the
    folder config."""
    if not selected('12'):
        return
    inputs = f'{ROOT}/t12_inputs'
    fresh(inputs)
    os.makedirs(inputs)
    a_file = f'{inputs}/a_file.txt'
    with open(a_file, 'w') as f:
        f.write('not a data set\n')
    unreadable = f'{inputs}/unreadable'
    os.makedirs(unreadable)
    pngs = make_folder(f'{inputs}/wrong_thing')  # images, no MNIST files
    wrong = f'{pngs}/images/train'
    os.chmod(unreadable, 0o000)
    root_note = (f'euid={os.geteuid()}: root ignores the mode'
                 if os.geteuid() == 0 else '')
    roots = [('file', a_file), ('unreadable folder (chmod 000)', unreadable),
             ('folder of PNG images', wrong)]
    try:
        for letter, (what, root) in zip('abc', roots):
            tid = f'12{letter}'
            wd = f'{ROOT}/t{tid}_cfg'
            trial(tid, f'Colored MNIST data_root is a {what}',
                  train_args(BASE_CFG, wd, [
                      'train_dataloader.dataset.source=idx',
                      f'train_dataloader.dataset.data_root={root}']),
                  setup=lambda wd=wd: fresh(wd),
                  checks_fn=lambda out, root=root: (
                      root_note if root == unreadable else ''))
        for letter, (what, root) in zip('def', roots):
            tid = f'12{letter}'
            wd = f'{ROOT}/t{tid}_cfg'
            trial(tid, f'folder config: data_root is a {what}',
                  folder_args(wd, root), setup=lambda wd=wd: fresh(wd),
                  checks_fn=lambda out, root=root: (
                      root_note if root == unreadable else ''))
    finally:
        os.chmod(unreadable, 0o755)


def make_folder(root, bad_label=False):
    """A tiny biased image folder (2 classes, 2 bias classes, 16x16 PNGs,
    meta/{train,val,test}.txt); ``bad_label`` adds a line with label 2 to
    meta/val.txt."""
    import cv2
    import numpy as np
    fresh(root)
    rng = np.random.default_rng(0)
    os.makedirs(f'{root}/meta')
    for split, per_class in (('train', 4), ('val', 2), ('test', 2)):
        os.makedirs(f'{root}/images/{split}')
        lines = []
        for label in range(2):
            for i in range(per_class):
                bias = label if split == 'train' and i else 1 - label
                path = f'images/{split}/{len(lines):03d}.png'
                img = rng.integers(0, 255, (16, 16, 3), dtype=np.uint8)
                img[..., bias] = 255
                cv2.imwrite(f'{root}/{path}', img)
                lines.append(f'{path} {label} {bias}\n')
        if bad_label and split == 'val':
            lines.append('images/val/000.png 2 0\n')
        with open(f'{root}/meta/{split}.txt', 'w') as f:
            f.writelines(lines)
    return root


FOLDER_CFG = 'configs/lntl_resnet18_custom.py'


def folder_args(work_dir, root, extra=()):
    """tools/train.py on FOLDER_CFG pointed at ``root``: small images and
    batches, no workers, 1 epoch."""
    opts = [f'{split}_dataloader.{key}' for split in ('train', 'val', 'test')
            for key in (f'dataset.data_root={root}', 'batch_size=4',
                        'num_workers=0', 'persistent_workers=False')]
    opts += ['train_dataloader.dataset.pipeline.1.scale=16',
             'val_dataloader.dataset.pipeline.1.scale=16',
             'val_dataloader.dataset.pipeline.2.crop_size=16',
             'test_dataloader.dataset.pipeline.1.scale=16',
             'test_dataloader.dataset.pipeline.2.crop_size=16',
             'train_cfg.max_epochs=1']
    return ['tools/train.py', FOLDER_CFG, '--work-dir', work_dir,
            '--cfg-options'] + opts + list(extra)


def preflight_time(args):
    """Seconds that check_config takes in this process on the config the
    tool of ``args`` checks (the tool's own argument parsing and merging;
    first call for the trial's config)."""
    import importlib.util
    from lnl_mm.utils import TRAIN_FIELDS, UserError, check_config
    from mmengine.config import Config
    if args[0] == 'tools/dist_train.sh':  # CONFIG GPUS [train.py args]
        args = ['tools/train.py', args[1]] + args[3:]
    name = osp.splitext(osp.basename(args[0]))[0]
    spec = importlib.util.spec_from_file_location(
        f'faults_tool_{name}', osp.join(REPO, 'tools', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    parsed = module.parse_args(args[1:])
    cfg = module.merge_args(Config.fromfile(osp.join(REPO, parsed.config)),
                            parsed)
    training = name == 'train'
    fields = TRAIN_FIELDS if training else ('test_dataloader', )
    start = time.perf_counter()
    try:
        check_config(cfg, fields, training)
        result = 'passed'
    except UserError:
        result = 'refused'
    return (f'check_config: {result} in '
            f'{time.perf_counter() - start:.3f} s (in-process)')


SELECT = sys.argv[1:]
#: Trial groups that need neither the good runs nor their checkpoints.
STANDALONE = ('11', '12')


def write_table():
    head = ('| # | Trial | Command (beyond the tiny-run options) | Exit | '
            'Message (ERROR line / key log line) | Disk changed? | Checks |\n'
            '|---|---|---|---|---|---|---|\n')
    esc = lambda s: str(s).replace('|', '\\|').replace('\n', ' ')  # noqa
    body = ''.join(
        f"| {r['tid']} | {esc(r['name'])} | `{esc(r['cmd'])}` | {r['rc']} | "
        f"{esc(r['msg'])} | {esc(r['disk'])} | {esc(r['checks'])} |\n"
        for r in ROWS)
    note = (
        '\nAll runs: `--cfg-options` ' + re.sub(
            r'=\[0,(\d+),[\d,]+\]', r'=[0,\1,...]', ' '.join(TINY)) + ' ' +
        ' '.join(EVERY_EPOCH) + ' (+ ' + ' '.join(LNTL_OPTS) +
        ' for LNTL); cwd: the repository, OMP_NUM_THREADS=1. '
        f'Paths are relative to {ROOT}, `<ts>` is a run timestamp; '
        f'logs in {ROOT}/logs/<#>.log. Disk listing: {ROOT} (minus '
        'logs/, cache/ and the driver files) with size + sha1, and what a run '
        'could add to the repository (its top-level names, work_dirs/, data/; '
        '), '
        'before/after each trial. Exit -9: killed by the driver. '
        'Folder trials (11p-11z, 12d-12f): tools/train.py '
        f'{FOLDER_CFG} on a 2-class, 2-bias-class folder of 16x16 PNGs '
        'that the driver writes, with `--cfg-options` ' + ' '.join(
            o for o in folder_args('W', '<folder>')[5:]
            if not o.startswith(('val_', 'test_'))) +
        ' (and the same for val/test). '
        'check_config times: the checks of the tool, run in the driver '
        'on the same merged config.\n')
    try:
        head_rev = subprocess.run(
            ['git', '-C', REPO, 'rev-parse', '--short', 'HEAD'],
            capture_output=True, text=True).stdout.strip()
        dirty = len(subprocess.run(
            ['git', '-C', REPO, 'status', '--short'], capture_output=True,
            text=True).stdout.splitlines())
        note += (f'Code under test: {REPO} at {head_rev} with {dirty} '
                 f'uncommitted path(s), {time.strftime("%Y-%m-%d %H:%M")}.\n')
    except OSError:
        pass
    with open(osp.join(ROOT, 'table.md' if not SELECT else 'table_partial.md'),
              'w') as f:
        f.write(head + body + note)


def main():
    os.makedirs(LOGS, exist_ok=True)
    t0 = time.time()
    if not SELECT or not all(s.startswith(STANDALONE) for s in SELECT):
        good_runs()
        if not osp.exists(f'{ROOT}/good_base/epoch_2.pth'):
            sys.exit('the good baseline run failed; see logs/G1.log')
        t1_t2_non_finite()
        if not SELECT or any(s[0] in '345' for s in SELECT):
            t3_t5_test_inputs()
        else:
            make_inputs()
        t6_t7_resume()
        t8_work_dir()
        t9_kill('base')
        t9_kill('lntl')
        t10_misc()
    t11_config_mistakes()
    t12_data_root()
    write_table()
    print(f'{len(ROWS)} trials in {time.time() - t0:.0f}s; table: '
          f'{ROOT}/table.md')


if __name__ == '__main__':
    main()
