#!/usr/bin/env bash
# Checks the PyTorch recorder on a CUDA GPU (docs/python.md, "Recording on a GPU"): the device tests of the
# Python suite, a bf16 training run of the example recorded to OUTDIR (open it in the app afterwards), and
# the recorder's overhead on a model sized for a GPU at cadences 5 and 25.
#   scripts/check-recorder-gpu.sh [OUTDIR] [PYTHON]
set -uo pipefail
out=${1:-runs/gpu-check}
py=${2:-python3}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
export PYTHONPATH="$here/python${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
status=0
"$py" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "device",
      torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none")'
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null
if ! "$py" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  echo "check-recorder-gpu: $py has no torch that sees a CUDA GPU; on a CPU machine run the Python suite instead" \
       "(ctest -R python_attnscope)." >&2
  exit 2
fi
echo "== device tests (attnscope-cli-free parts of the suite)"
"$py" -m pytest -q -p no:cacheprovider "$here/python/tests/test_devices.py" \
  "$here/python/tests/test_recorder.py" -k "not attnscope_gpt and not ddp_example" 2>&1 | tail -25 || status=1
if [ "${SKIP_EXAMPLE:-0}" != 1 ]; then
echo "== example run on the GPU (bf16 autocast), recorded to $out/nanogpt-cuda.attnrun"
"$py" "$here/python/examples/train_nanogpt.py" --device cuda --amp bf16 --steps 1000 --every 50 \
  --checkpoint-every 1000 --layers 4 --heads 4 --d-model 96 --context 128 --batch 64 --lr 3e-3 \
  --out "$out/nanogpt-cuda.attnrun" || status=1
fi
for every in 5 25; do
  echo "== recorder overhead on the GPU, cadence $every"
  "$py" "$here/python/examples/measure_overhead.py" --device cuda --layers 6 --heads 8 --d-model 512 \
    --context 256 --batch 32 --every "$every" --blocks 6 || status=1
done
exit $status
