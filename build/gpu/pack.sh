#!/usr/bin/env bash
# Packs the engine for a GPU host that has NVIDIA drivers and PyTorch but no .NET SDK: the
# engine-only program (src/ArtBot.GpuCheck, external-libtorch build), the .NET runtime, the
# weights it needs, two sample images and run.sh, in one folder (default: .gpu, under 60 MiB).
# The host's own libtorch (python3's torch, or ARTBOT_LIBTORCH) does the tensor work.
#   build/gpu/pack.sh [DEST]          (weights from ARTBOT_MODELS or ../shared/models)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
dest=${1:-$root/.gpu}
models=$(cd "${ARTBOT_MODELS:-$root/../shared/models}" && pwd)
images=$(cd "$models/../images" && pwd)
rm -rf "$dest"; mkdir -p "$dest"/{models/presets,styles,img}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# Its own build tree (--artifacts-path): the checkout's cpu build stays as it is. The glibc++ shim
# is built whatever this host has, for GPU hosts whose libstdc++ predates GCC 13.
dotnet publish "$root/src/ArtBot.GpuCheck/ArtBot.GpuCheck.csproj" -c Release -o "$work/app" --artifacts-path "$work/artifacts" \
  -p:TorchBackend=external -p:ArtBotGlibcxxShim=always --nologo -v q >/dev/null
(cd "$work/app" && tar cf - .) | xz -T0 -6 > "$dest/app.tar.xz"
dn=$(dirname "$(readlink -f "$(command -v dotnet)")")
(cd "$dn" && tar cf - dotnet host shared/Microsoft.NETCore.App) | xz -T0 -6 > "$dest/dotnet.tar.xz"
cp -r "$models/vgg19-block3" "$models/darknet-tiny" "$dest/models/"
cp -r "$models/presets/wave" "$dest/models/presets/"
cp "$root/styles/wave.json" "$dest/styles/"
cp "$images/content/tubingen.jpg" "$images/style/starry_night.jpg" "$dest/img/"
cp "$here/run.sh" "$here/torch_reference.py" "$dest/"
du -sh "$dest"
