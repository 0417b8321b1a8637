#!/usr/bin/env bash
# On a GPU machine (see prepare.sh), from the repository root:
#   bash benchmarks/gpu/run.sh
# 1. benchmark_train.py for the baseline and LNTL configs (images/s of the
#    Runner, the hand-written loop and the data pipeline; peak memories);
# 2. one full 100-epoch LNTL run (configs/lnl_cmnist_paper.py) on the 55,000
#    training digits of data/mnist: wall time, images/s, peak GPU memory.
# Budget: under 8 minutes on an H100-class GPU. Results go to $OUT (or
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
for cfg in baseline_cmnist lnl_cmnist; do
  python3 tools/analysis/benchmark_train.py configs/$cfg.py --iters 200 \
    --warmup 20 --out "$out/bench_$cfg.json" --cfg-options $data \
    2>&1 | tail -n 18 | tee "$out/bench_$cfg.txt"
done
all=""
for split in train val test; do
  all="$all ${split}_dataloader.dataset.source=idx ${split}_dataloader.dataset.data_root=data/mnist"
done
start=$(date +%s)
python3 tools/train.py configs/lnl_cmnist_paper.py --work-dir "$out/lnl_100e" \
  --cfg-options $all > "$out/lnl_100e.log" 2>&1
end=$(date +%s)
python3 - "$out" "$start" "$end" <<'PY'
import glob, json, sys
out, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
wall = end - start
log = open(glob.glob(f'{out}/lnl_100e/*/*.log')[0]).read()
val = [l for l in log.splitlines() if 'Epoch(val) [100]' in l]
res = dict(wall_s=wall, images_per_s=100 * 55000 / wall,
           last_val=val[-1].split('accuracy/top1:')[1].split()[0] if val else None)
mem = [l for l in log.splitlines() if 'memory:' in l]
res['last_logged_memory_mib'] = mem[-1].split('memory:')[1].split()[0] if mem else None
print(json.dumps(res, indent=2))
json.dump(res, open(f'{out}/lnl_100e.json', 'w'), indent=2)
PY
