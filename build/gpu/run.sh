#!/usr/bin/env bash
# On the GPU host, from the folder pack.sh made: the engine on the host's libtorch (python3's
# torch, or ARTBOT_LIBTORCH), the bench and one job per tier size; images, check.log and
# report.json go to OUTDIR.
#   bash run.sh OUTDIR [cuda|cpu|auto] [--quick]
set -u
P=$(cd "$(dirname "$0")" && pwd); out=${1:?OUTDIR}; dev=${2:-cuda}; shift $(( $# >= 2 ? 2 : 1 ))
mkdir -p "$out"; out=$(cd "$out" && pwd)
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
tmp=$(mktemp -d); mkdir -p "$tmp/dotnet" "$tmp/app"
tar xJf "$P/dotnet.tar.xz" -C "$tmp/dotnet" && tar xJf "$P/app.tar.xz" -C "$tmp/app"
export DOTNET_ROOT="$tmp/dotnet" PATH="$tmp/dotnet:$PATH"
cd "$tmp/app" && timeout "${ARTBOT_GPU_TIMEOUT:-540}" dotnet artbot-gpucheck.dll "$P/models" "$P/styles" "$P/img/tubingen.jpg" "$P/img/starry_night.jpg" "$out" "$dev" "$@" > "$out/check.log" 2>&1
status=$?
echo "gpucheck exit $status"
grep -E 'libtorch|Art engine|BENCH|TIME|xception|rror' "$out/check.log" | cut -c1-400 | head -40
rm -rf "$tmp"
exit $status
