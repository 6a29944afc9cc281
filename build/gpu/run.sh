#!/usr/bin/env bash
# On the GPU host, from the folder pack.sh made: the engine on the host's libtorch (python3's
# torch, or ARTBOT_LIBTORCH): bench, one job per tier size, the precision and layout comparison,
# a mixed queue drained; then the same work shapes in PyTorch on the same GPU. Images, check.log,
# report.json and torch_reference.json go to OUTDIR.
#   bash run.sh OUTDIR [cuda|cpu|auto] [--quick]
# ARTBOT_GPU_TIMEOUT (default 420 s) bounds the engine's part; the PyTorch part gets 150 s more.
set -u
P=$(cd "$(dirname "$0")" && pwd); out=${1:?OUTDIR}; dev=${2:-cuda}; shift $(( $# >= 2 ? 2 : 1 ))
mkdir -p "$out"; out=$(cd "$out" && pwd)
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
tmp=$(mktemp -d); mkdir -p "$tmp/dotnet" "$tmp/app"
tar xJf "$P/dotnet.tar.xz" -C "$tmp/dotnet" && tar xJf "$P/app.tar.xz" -C "$tmp/app"
export DOTNET_ROOT="$tmp/dotnet" PATH="$tmp/dotnet:$PATH"
(cd "$tmp/app" && timeout "${ARTBOT_GPU_TIMEOUT:-420}" dotnet artbot-gpucheck.dll "$P/models" "$P/styles" "$P/img/tubingen.jpg" "$P/img/starry_night.jpg" "$out" "$dev" "$@") > "$out/check.log" 2>&1
status=$?
echo "gpucheck exit $status"
grep -E 'libtorch|Art engine|^[A-Z_0-9]+ [\[{-]|xception|rror' "$out/check.log" | cut -c1-1500 | head -40
if python3 -c 'import torch' 2>/dev/null; then
  timeout 150 python3 "$P/torch_reference.py" "$out/torch_reference.json" > "$out/torch_reference.log" 2>&1
  echo "torch reference exit $?"; tail -c 3000 "$out/torch_reference.log"
fi
rm -rf "$tmp"
exit $status
