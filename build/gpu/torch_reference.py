"""PyTorch on the same machine, the same work shapes as ArtBot's engine: the yardstick for its figures.

   python3 torch_reference.py OUT.json
   python3 torch_reference.py OUT.json --preset-sides 512,1024 --gatys-sides 600   (what `artbot bench --vs-pytorch` asks)

Timing only (weights are random: the time of a convolution does not depend on its values):
- one Gatys evaluation (VGG-19 to relu3_2, Gram style loss on relu1_1/2_1/3_1, content on relu3_2,
  forward and backward) at the long sides ArtBot's tiers paint, 4:3 like the sample photo;
- the preset network (Johnson et al.: 9x9 conv, two stride-2 convs, five residual blocks, two
  transposed convs, 9x9 conv, instance norm) on 2048x2048 plus the 64 px reflected margin the
  engine adds, as bench's forward figure does.
Each in fp32, TF32, TF32 channels-last and bf16 autocast (channels-last). Milliseconds, median of
runs after warm-ups, the device synchronised before every clock read.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

out = sys.argv[1]
options = dict(zip(sys.argv[2::2], sys.argv[3::2]))
cuda = torch.cuda.is_available()
dev = torch.device("cuda" if cuda else "cpu")
quick = not cuda and not options
report = {"torch": torch.__version__, "cuda": torch.version.cuda, "device": torch.cuda.get_device_name(0) if cuda else "cpu"}


def save():
    with open(out, "w") as f:
        json.dump(report, f, indent=2)


def sync():
    if cuda:
        torch.cuda.synchronize()


def median_ms(fn, warm=3, runs=10):
    for _ in range(warm):
        fn()
    sync()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        sync()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return round(times[len(times) // 2], 2)


MODES = {
    "fp32": dict(tf32=False, cl=False, bf16=False),
    "tf32": dict(tf32=True, cl=False, bf16=False),
    "tf32_channels_last": dict(tf32=True, cl=True, bf16=False),
    "bf16_channels_last": dict(tf32=True, cl=True, bf16=True),
}


def set_mode(m):
    torch.backends.cudnn.allow_tf32 = m["tf32"]
    torch.backends.cuda.matmul.allow_tf32 = m["tf32"]


class Vgg(nn.Module):
    # conv1_1..conv3_2 of VGG-19; returns relu1_1, relu2_1, relu3_1, relu3_2
    def __init__(self):
        super().__init__()
        c = lambda i, o: nn.Conv2d(i, o, 3, padding=1)
        self.c11, self.c12, self.c21, self.c22, self.c31, self.c32 = c(3, 64), c(64, 64), c(64, 128), c(128, 128), c(128, 256), c(256, 256)

    def forward(self, x):
        r11 = F.relu(self.c11(x))
        x = F.max_pool2d(F.relu(self.c12(r11)), 2)
        r21 = F.relu(self.c21(x))
        x = F.max_pool2d(F.relu(self.c22(r21)), 2)
        r31 = F.relu(self.c31(x))
        r32 = F.relu(self.c32(r31))
        return [r11, r21, r31], r32


def gram(f):
    b, c, h, w = f.shape
    f = f.reshape(c, h * w)
    return f @ f.t() / (c * h * w)


def gatys_eval_ms(side, m):
    set_mode(m)
    h, w = side * 3 // 4, side
    vgg = Vgg().to(dev).eval()
    for p in vgg.parameters():
        p.requires_grad_(False)
    fmt = torch.channels_last if m["cl"] else torch.contiguous_format
    vgg = vgg.to(memory_format=fmt)
    x = torch.rand(1, 3, h, w, device=dev).to(memory_format=fmt).requires_grad_(True)
    with torch.no_grad(), torch.autocast(dev.type, dtype=torch.bfloat16, enabled=m["bf16"]):
        styles, content = vgg(torch.rand(1, 3, h, w, device=dev).to(memory_format=fmt))
        targets = [gram(s.float()) for s in styles]
        content = content.float()

    def step():
        x.grad = None
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=m["bf16"]):
            s, c = vgg(x)
        loss = sum(((gram(a.float()) - t) ** 2).sum() for a, t in zip(s, targets)) + ((c.float() - content) ** 2).sum()
        loss.backward()

    return median_ms(step, runs=5 if not cuda else 20)


class Johnson(nn.Module):
    def __init__(self):
        super().__init__()

        def conv(i, o, k, s=1):
            return nn.Sequential(nn.Conv2d(i, o, k, s, padding=k // 2), nn.InstanceNorm2d(o, affine=True))

        self.c1, self.c2, self.c3 = conv(3, 32, 9), conv(32, 64, 3, 2), conv(64, 128, 3, 2)
        self.res = nn.ModuleList([nn.ModuleList([conv(128, 128, 3), conv(128, 128, 3)]) for _ in range(5)])
        self.d1 = nn.Sequential(nn.ConvTranspose2d(128, 64, 3, 2, padding=1, output_padding=1), nn.InstanceNorm2d(64, affine=True))
        self.d2 = nn.Sequential(nn.ConvTranspose2d(64, 32, 3, 2, padding=1, output_padding=1), nn.InstanceNorm2d(32, affine=True))
        self.out = conv(32, 3, 9)

    def forward(self, x):
        x = F.relu(self.c3(F.relu(self.c2(F.relu(self.c1(x))))))
        for a, b in self.res:
            x = x + b(F.relu(a(x)))
        x = self.out(F.relu(self.d2(F.relu(self.d1(x)))))
        return (torch.tanh(x) * 150 + 127.5).clamp(0, 255)


def preset_ms(side, m):
    set_mode(m)
    fmt = torch.channels_last if m["cl"] else torch.contiguous_format
    net = Johnson().to(dev).eval().to(memory_format=fmt)
    x = (torch.rand(1, 3, side, side, device=dev) * 255).to(memory_format=fmt)

    def run():
        with torch.inference_mode(), torch.autocast(dev.type, dtype=torch.bfloat16, enabled=m["bf16"]):
            net(x)

    return median_ms(run, runs=3 if not cuda else 10)


def sides_of(name, default):
    return [int(v) for v in options[name].split(",")] if name in options else default


report["threads"] = torch.get_num_threads()
sides = sides_of("--gatys-sides", [128, 192] if quick else [600, 1000, 1600])
report["gatys_eval_ms"] = {}
for name, m in MODES.items():
    report["gatys_eval_ms"][name] = {str(s): gatys_eval_ms(s, m) for s in sides}
    save()
# The engine's forward figure runs side x side plus the 64 px reflected margin on each side.
preset_sides = sides_of("--preset-sides", [256 - 128] if quick else [2048])
report["preset_forward_side"] = preset_sides[-1] + 128
report["preset_forward_ms"] = {name: preset_ms(preset_sides[-1] + 128, m) for name, m in MODES.items()}
report["preset_forward_ms_by_side"] = {str(s): {name: preset_ms(s + 128, m) for name, m in MODES.items()} for s in preset_sides}
save()
print("TORCH " + json.dumps(report))
