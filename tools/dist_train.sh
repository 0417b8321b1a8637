#!/usr/bin/env bash
# Distributed training with torchrun:
#   bash tools/dist_train.sh CONFIG GPUS [tools/train.py args]
# Multi-node: run on every node with NNODES, NODE_RANK, MASTER_ADDR and PORT
# set alike (NODE_RANK differs). On a machine without CUDA, GPUS is the number
# of CPU processes and the gloo backend is used.
set -e

CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
TOOLS_DIR="$(cd "$(dirname "$0")" && pwd)"

if [ -z "$CONFIG" ] || [ -z "$GPUS" ]; then
    echo "usage: $0 CONFIG GPUS [train.py args]" >&2
    exit 2
fi

# Check the config and inputs once first: a mistake then gives one message,
# not one per process followed by torchrun's failure report.
PYTHONPATH="$TOOLS_DIR/..":$PYTHONPATH \
python "$TOOLS_DIR/train.py" "$CONFIG" --check-only "${@:3}"

PYTHONPATH="$TOOLS_DIR/..":$PYTHONPATH \
python -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$TOOLS_DIR/train.py" \
    "$CONFIG" \
    --launcher pytorch "${@:3}"
