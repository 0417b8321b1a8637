#!/usr/bin/env bash
# What the 20-epoch recipe's iterations cost (configs/lnl_cmnist_20e.py, the
# recommended recipe up to version 0.7, then configs/lnl_cmnist.py), per
# phase, against a baseline iteration, before and after the warm-up stopped
# training the h that is re-initialised at the switch
# (model.warmup_bias_steps=0) and h's extra steps started sharing one forward
# of f; and the predicted training time of a full-scale run (55,000 digits,
# 20 epochs).
#   after:  this checkout, tools/analysis/benchmark_train.py (Runner and
#           the hand-written loop that does the same work, apart and in
#           alternating blocks (paired), 3 rounds)
#   before: the tree before those changes (its lnl_mm and configs), timed
#           by the same tool (copied in), Runner only (its loop follows
#           the new train_step)
# Usage: bash benchmarks/throughput/recipe_cost.sh MNIST_DIR OLD_TREE OUT_DIR
# MNIST_DIR holds the four IDX files; OLD_TREE e.g. `git archive ea76a19`
# unpacked; run it on a quiet machine, nothing else training.
set -euo pipefail
cd "$(dirname "$0")/../.."
mnist=$(realpath "$1"); old=$(realpath "$2"); mkdir -p "$3"; out=$(realpath "$3")
args=(--baseline configs/baseline_cmnist.py --iters "${ITERS:-100}"
      --warmup "${WARMUP:-10}" --rounds "${ROUNDS:-3}")
data=(--cfg-options train_dataloader.dataset.source=idx
      "train_dataloader.dataset.data_root=$mnist")
python tools/analysis/benchmark_train.py configs/lnl_cmnist_20e.py "${args[@]}" \
  --out "$out/after.json" "${data[@]}"
cp tools/analysis/benchmark_train.py "$old/tools/analysis/benchmark_train_phases.py"
(cd "$old" && PYTHONPATH="$old" python tools/analysis/benchmark_train_phases.py \
  configs/lnl_cmnist.py "${args[@]}" --skip-loop --out "$out/before.json" "${data[@]}")
python - "$out" <<'PY'
import json, sys, os.path as osp
out = sys.argv[1]
print('| code | phase | Runner s/iter | per round | x baseline iteration | loop s/iter | Runner / loop | per round | paired Runner / loop | per round |')
print('|---|---|---|---|---|---|---|---|---|---|')
for code in ('before', 'after'):
    r = json.load(open(osp.join(out, f'{code}.json')))
    for phase, e in r['phases'].items():
        rounds = ', '.join(f'{128 / v:.3f}' for v in e['runner_img_s_rounds'])
        loop = f"{128 / e['loop_img_s']:.3f}" if 'loop_img_s' in e else '–'
        ratio = f"{e['runner_over_loop']:.2f}" if 'runner_over_loop' in e else '–'
        ratios = ', '.join(f'{v:.2f}' for v in e.get('runner_over_loop_rounds', [])) or '–'
        paired = f"{e['runner_over_loop_paired']:.3f}" if 'runner_over_loop_paired' in e else '–'
        paireds = ', '.join(f'{v:.3f}' for v in e.get('runner_over_loop_paired_rounds', [])) or '–'
        print(f"| {code} | {phase} | {e['s_per_iter']:.3f} | {rounds} | "
              f"{e['cost_in_baseline_iters']:.2f} | {loop} | {ratio} | {ratios} | {paired} | {paireds} |")
for code in ('before', 'after'):
    p = json.load(open(osp.join(out, f'{code}.json')))['predicted']
    print(f"\n{code}: predicted training time of the 20-epoch recipe on "
          f"{p['train_size']} digits ({p['iters_per_epoch']} iterations per "
          f"epoch, epochs {p['epochs']}): {p['train_minutes']:.1f} min")
PY
