"""Sentence-embedding backends side by side, all-MiniLM-L6-v2, one thread each:

- throughput (utterances/s, batch 32) on real utterances: numpy (scoring.minilm), ONNX Runtime
  fp32 (scoring.onnx_bert) and ORT dynamic int8 (bench only), interleaved, median of 3;
- import + load time and peak RSS of a fresh process per backend (median of 3);
- agreement with numpy: max |difference| and min cosine of the vectors;
- verdict agreement: scoring.evaluate with the default rubric over every real HVB call
  (../shared/data/hvb_qa_dev/calls, bench/data/hvb_qa_more/calls) with numpy and with ORT fp32,
  every verdict and confidence compared.

    OMP_NUM_THREADS=1 .venv/bin/python -m bench.embedding_backends [--models-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from scoring import default_rubric, evaluate
from scoring.embedding import NumpyEmbedder, OrtEmbedder, resolve_model_path
from scoring.minilm import NumpyBert
from scoring.onnx_bert import OrtBert, onnx_path, quantize_int8
from transcription import load_transcript_file

REPO = Path(__file__).resolve().parents[1]
REAL = [REPO.parent / "shared/data/hvb_qa_dev/calls", REPO / "bench/data/hvb_qa_more/calls"]

_LOAD = """
import sys, time
t0 = time.perf_counter()
from pathlib import Path
from scoring.embedding import get_embedder
e = get_embedder(backend=sys.argv[1], models_dir=Path(sys.argv[2]))
e.encode(["warm up"])
# VmHWM, not ru_maxrss: the latter carries the parent's peak across exec.
hwm = next(ln for ln in open("/proc/self/status") if ln.startswith("VmHWM"))
rss = int(hwm.split()[1]) / 1024
print(time.perf_counter() - t0, rss)
"""


def _load_cost(backend: str, models_dir: Path) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", _LOAD, backend, str(models_dir)],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    ).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models-dir", type=Path, default=None)
    ap.add_argument("--n", type=int, default=640, help="utterances timed per backend and run")
    args = ap.parse_args()
    models_dir = args.models_dir or Path(tempfile.mkdtemp(prefix="onnx-bench-"))
    path = resolve_model_path("all-MiniLM-L6-v2")
    calls = [p for folder in REAL for p in sorted(folder.glob("*.txt"))]
    transcripts = [load_transcript_file(p) for p in calls]
    texts = list(dict.fromkeys(s.text.strip() for t in transcripts for s in t.segments))
    print(f"{len(calls)} real calls, {len(texts)} distinct utterances")

    t0 = time.perf_counter()
    fp32 = OrtBert(path, models_dir=models_dir)  # builds the graph when missing
    print(f"ORT graph ready in {time.perf_counter() - t0:.1f} s at {onnx_path(path, models_dir)}")
    int8_path = onnx_path(path, models_dir).with_name("model.int8.onnx")
    if not int8_path.is_file():
        quantize_int8(onnx_path(path, models_dir), int8_path)
    int8 = OrtBert(path, models_dir=models_dir, graph=int8_path)
    numpy_bert = NumpyBert(path)
    backends = {"numpy": numpy_bert, "onnx fp32": fp32, "onnx int8": int8}

    # Agreement on every utterance.
    ref = numpy_bert.encode(texts)
    for name in ("onnx fp32", "onnx int8"):
        vec = backends[name].encode(texts)
        cos = (vec * ref).sum(1)
        print(
            f"{name} vs numpy over {len(texts)} utterances: max |diff| "
            f"{np.abs(vec - ref).max():.2e}, min cosine {cos.min():.6f}, mean {cos.mean():.6f}"
        )

    # Throughput, interleaved.
    sample = texts[: args.n]
    times: dict[str, list[float]] = {k: [] for k in backends}
    for _ in range(3):
        for name, model in backends.items():
            t0 = time.perf_counter()
            model.encode(sample, batch_size=32)
            times[name].append(time.perf_counter() - t0)
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:10s} {len(sample) / med:6.0f} utterances/s (batch 32, 1 thread; runs {ts})")

    # Fresh-process import + load + first encode, and peak RSS.
    for backend in ("numpy", "onnx"):
        costs = [_load_cost(backend, models_dir) for _ in range(3)]
        print(
            f"{backend:6s} process import+load+first encode "
            f"{statistics.median(c[0] for c in costs):.2f} s, peak RSS "
            f"{statistics.median(c[1] for c in costs):.0f} MB"
        )

    # Verdicts on the real calls.
    rubric = default_rubric()
    emb_np = NumpyEmbedder(path)
    emb_ort = OrtEmbedder(path, models_dir=models_dir)
    verdicts = differ = 0
    max_conf = 0.0
    for p, t in zip(calls, transcripts, strict=True):
        a = evaluate(t, rubric, embedder=emb_np)
        b = evaluate(t, rubric, embedder=emb_ort)
        for ca, cb in zip(a.criteria, b.criteria, strict=True):
            verdicts += 1
            max_conf = max(max_conf, abs(ca.confidence - cb.confidence))
            if (ca.id, ca.verdict, ca.confidence) != (cb.id, cb.verdict, cb.confidence):
                differ += 1
                print(
                    f"    {p.stem} {ca.id}: numpy {ca.verdict} {ca.confidence:.4f}, "
                    f"onnx {cb.verdict} {cb.confidence:.4f}"
                )
        if a.score != b.score:
            print(f"    {p.stem} score numpy {a.score}, onnx {b.score}")
    print(
        json.dumps(
            {
                "calls": len(calls),
                "verdicts": verdicts,
                "verdict_or_confidence_differs": differ,
                "max_confidence_diff": max_conf,
            }
        )
    )


if __name__ == "__main__":
    main()
