#!/usr/bin/env bash
# On a GPU machine (see prepare.sh), from the repository root:
#   bash benchmarks/gpu/run.sh
# 1. benchmark_train.py for the recommended recipe against the baseline
#    (per phase: images/s of the Runner and the hand-written loop, seconds
#    per iteration; the data pipeline; peak memories);
# 2. full training runs on the 55,000 training digits of data/mnist: the
#    recommended recipe (configs/lnl_cmnist.py, 50 epochs), then the
#    paper's 100-epoch schedule (configs/lnl_cmnist_paper.py): wall time,
#    images/s, best val, peak GPU memory.
# Budget: under 10 minutes on an H100-class GPU. Results go to $OUT (or
# work_dirs/gpu_bench) as JSON and logs.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-work_dirs/gpu_bench}
mkdir -p "$out"
if [ -d .whl ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile \
    --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total --format=csv | tee "$out/gpu.txt"
data="train_dataloader.dataset.source=idx train_dataloader.dataset.data_root=data/mnist"
python3 tools/analysis/benchmark_train.py configs/lnl_cmnist.py --iters 200 \
  --warmup 20 --baseline configs/baseline_cmnist.py \
  --out "$out/bench_lnl_cmnist.json" --cfg-options $data \
  2>&1 | tail -n 40 | tee "$out/bench_lnl_cmnist.txt"
all=""
for split in train val test; do
  all="$all ${split}_dataloader.dataset.source=idx ${split}_dataloader.dataset.data_root=data/mnist"
done
# train NAME: one full training run of configs/NAME.py on full MNIST,
# timed; writes $out/NAME.log, $out/NAME/ and $out/NAME.json (wall time, images/s over
# the training digits seen, best val, the epoch of the best val, memory)
train() {
  local start end
  start=$(date +%s)
  python3 tools/train.py "configs/$1.py" --work-dir "$out/$1" \
    --cfg-options $all > "$out/$1.log" 2>&1
  end=$(date +%s)
  python3 - "$out" "$1" "$start" "$end" <<'PY'
import glob, json, re, sys
out, name, start, end = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
log = open(glob.glob(f'{out}/{name}/*/*.log')[0]).read()
val = [(int(m.group(1)), float(m.group(2))) for m in re.finditer(
    r'Epoch\(val\) \[(\d+)\].*?accuracy/top1: ([\d.]+)', log)]
epochs = max(e for e, _ in val) if val else 0
best = max(val, key=lambda v: v[1]) if val else (None, None)
mem = re.findall(r'memory: (\d+)', log)
res = dict(config=f'configs/{name}.py', wall_s=end - start, epochs=epochs,
           train_images_per_s=epochs * 55000 / (end - start),
           best_val_top1=best[1], best_val_epoch=best[0],
           last_logged_memory_mib=int(mem[-1]) if mem else None)
print(json.dumps(res, indent=2))
json.dump(res, open(f'{out}/{name}.json', 'w'), indent=2)
PY
}
# the recommended recipe (50 epochs): how long the paper's table takes on
# one GPU, per run
train lnl_cmnist
train lnl_cmnist_paper
