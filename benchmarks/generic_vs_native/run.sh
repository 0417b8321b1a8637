#!/usr/bin/env bash
# Generic path vs native path on the same data, network and protocol:
# Colored MNIST (embedded 5,000-digit sample, color_var 0.020, val coloured
# like test) trained once through ColoredMNIST and once through
# BiasedImageDataset on its PNG export, for each method and seed; the
# val-selected checkpoint is tested. Short schedules (CPU): the baseline
# 10 epochs (lr x0.1 at 4 and 8), LNTL with the per-image bias head 6 epochs
# (x0.1 at 2 and 5, 1 warm-up epoch).
#   bash benchmarks/generic_vs_native/run.sh WORK_ROOT [SEEDS...]
# then: python benchmarks/generic_vs_native/summarize.py WORK_ROOT
# DATASET_OPTIONS="k=v ..." changes the ColoredMNIST protocol of the export
# and of the native runs alike (e.g. DATASET_OPTIONS=conflict_ratio=0.2).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=${1:?usage: run.sh WORK_ROOT [SEEDS...]}
shift
SEEDS=${*:-0 1 2}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
PNG=$ROOT/cmnist_png
read -r -a EXTRA <<< "${DATASET_OPTIONS:-}"

if [ ! -f "$PNG/meta/test.txt" ]; then
    python tools/dataset_converters/export_colored_mnist.py "$PNG" \
        --dataset-options source=sample "${EXTRA[@]}"
fi

data_options() {  # native|png
    # one pass over the 3,500 training digits per epoch on both paths (the
    # configs' EpochLengthSampler would draw MNIST's 55,000 per epoch)
    echo "train_dataloader.sampler.min_length=None"
    for split in train val test; do
        echo "${split}_dataloader.num_workers=0"
        if [ "$1" = native ]; then
            echo "${split}_dataloader.dataset.source=sample"
            for option in "${EXTRA[@]}"; do
                echo "${split}_dataloader.dataset.$option"
            done
        else
            echo "${split}_dataloader.dataset.data_root=$PNG"
        fi
    done
}

run() {  # method config path seed schedule-options...
    local method=$1 config=$2 path=$3 seed=$4
    shift 4
    local dir=$ROOT/runs/$method/$path/seed$seed
    if [ -f "$dir/test_metrics.json" ]; then return; fi
    local options
    options=$(data_options "$path")
    mkdir -p "$dir"
    # shellcheck disable=SC2086
    python tools/train.py "$config" --work-dir "$dir" --cfg-options \
        randomness.seed="$seed" $options "$@" > "$dir.train.log" 2>&1 \
        || { tail -20 "$dir.train.log"; exit 1; }
    local best
    best=$(ls "$dir"/best_accuracy_top1_epoch_*.pth)
    # shellcheck disable=SC2086
    python tools/test.py "$config" "$best" --work-dir "$dir" \
        --out "$dir/test_metrics.json" --out-item metrics \
        --cfg-options $options > "$dir.test.log" 2>&1
    echo "$method $path seed $seed: $(basename "$best")"
}

for seed in $SEEDS; do
    for path in native png; do
        suffix=$([ "$path" = png ] && echo _png || true)
        run baseline "configs/baseline_cmnist$suffix.py" "$path" "$seed" \
            train_cfg.max_epochs=10 'param_scheduler.milestones=[4,8]'
        run lntl_image_bias "configs/lnl_cmnist_image_bias$suffix.py" \
            "$path" "$seed" train_cfg.max_epochs=6 \
            'param_scheduler.milestones=[2,5]' model.pretrain_epochs=1
    done
done
