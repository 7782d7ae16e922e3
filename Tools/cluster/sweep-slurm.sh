#!/usr/bin/env bash
# Runs one shard of a TwinWorld sweep per Slurm array task.
#
#   sbatch --array=0-9 Tools/cluster/sweep-slurm.sh Scenes/experiments/line-buffer-size.json
#
# Task i (0-based) of an array of n runs `twin sweep EXP --shard (i+1)/n` into
# results/<experiment file name>-shard-(i+1)-of-n.sqlite, with --resume when a
# requeued task finds its database. When all tasks are done:
#
#   twin sweep merge --out results/line-buffer-size.sqlite results/line-buffer-size-shard-*-of-10.sqlite
#
# Environment: TWIN (the twin binary, default `twin` on PATH); SHARDS overrides
# the array size (default SLURM_ARRAY_TASK_COUNT).
#SBATCH --job-name=twin-sweep
#SBATCH --cpus-per-task=4
#SBATCH --output=twin-sweep-%A_%a.log
set -euo pipefail

exp="${1:?usage: sbatch --array=0-(n-1) sweep-slurm.sh EXPERIMENT.json}"
task="${SLURM_ARRAY_TASK_ID:?SLURM_ARRAY_TASK_ID is unset: submit with sbatch --array}"
count="${SHARDS:-${SLURM_ARRAY_TASK_COUNT:?SLURM_ARRAY_TASK_COUNT is unset: submit with sbatch --array}}"
jobs="${SLURM_CPUS_PER_TASK:-1}"
twin="${TWIN:-twin}"

shard="$((task + 1))/${count}"
db="results/$(basename "$exp" .json)-shard-$((task + 1))-of-${count}.sqlite"
mkdir -p results
resume=()
if [ -f "$db" ]; then resume=(--resume); fi

echo "twin sweep ${exp} --shard ${shard} --jobs ${jobs} --db ${db}${resume:+ --resume}"
exec "$twin" sweep "$exp" --shard "$shard" --jobs "$jobs" --db "$db" "${resume[@]}"
