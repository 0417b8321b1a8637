#!/usr/bin/env bash
# Distributed testing with torchrun:
#   bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [tools/test.py args]
# Honours NNODES, NODE_RANK, MASTER_ADDR and PORT like dist_train.sh; on a
# machine without CUDA, GPUS is the number of CPU processes (gloo backend).
set -e

CONFIG=$1
CHECKPOINT=$2
GPUS=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
TOOLS_DIR="$(cd "$(dirname "$0")" && pwd)"

if [ -z "$CONFIG" ] || [ -z "$CHECKPOINT" ] || [ -z "$GPUS" ]; then
    echo "usage: $0 CONFIG CHECKPOINT GPUS [test.py args]" >&2
    exit 2
fi

# Check the config and inputs once first: a mistake then gives one message,
# not one per process followed by torchrun's failure report.
PYTHONPATH="$TOOLS_DIR/..":$PYTHONPATH \
python "$TOOLS_DIR/test.py" "$CONFIG" "$CHECKPOINT" --check-only "${@:4}"

PYTHONPATH="$TOOLS_DIR/..":$PYTHONPATH \
python -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$TOOLS_DIR/test.py" \
    "$CONFIG" \
    "$CHECKPOINT" \
    --launcher pytorch "${@:4}"
