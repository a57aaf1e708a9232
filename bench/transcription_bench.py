"""Transcription side by side: WER per engine on the real sets and generated calls, segment
start errors, mono attribution, speed (RTF) and peak memory. Each engine runs in its own
subprocess (peak RSS is per process); all use one CPU thread, beam 5, VAD on.

    .venv/bin/python bench/transcription_bench.py [--quick] [--out bench/_generated/tr.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support import realsets  # noqa: E402
from tests.support.synth import render_call  # noqa: E402
from tests.transcription.conftest import CALL  # noqa: E402  (the call the tests transcribe)

GEN = ROOT / "bench" / "_generated" / "transcription"
MODELS = GEN / "models"
CONFIGS = {
    "faster-whisper int8": {"engine": "faster-whisper", "compute_type": "int8"},
    "faster-whisper float32": {"engine": "faster-whisper", "compute_type": "float32"},
    "openai-whisper fp32": {"engine": "openai-whisper"},
    "transformers fp32": {"engine": "transformers"},
}


def _render() -> dict[str, dict]:
    out = {}
    for name, stereo in (("stereo", True), ("mono", False)):
        call = render_call(
            CALL, GEN / f"call_{name}.wav", stereo=stereo, voices={"customer": "en+f3"}
        )
        out[name] = {
            "path": str(call.path),
            "duration": call.duration_s,
            "turns": [(t.speaker, t.text, t.start, t.end) for t in call.turns],
        }
    return out


def _text(tr: Any) -> str:
    return " ".join(s.text for s in tr.segments)


def _worker(config: dict, calls: dict) -> dict:
    from transcription import TranscriptionOptions, transcribe_file
    from transcription.catalog import convert_model

    if config["engine"] != "faster-whisper":
        convert_model("tiny.en", MODELS, config["engine"])
    opts = TranscriptionOptions(models_dir=str(MODELS), cpu_threads=1, **config)
    t0 = time.perf_counter()
    transcribe_file(realsets.JFK, opts)  # loads the model
    load_and_jfk = time.perf_counter() - t0
    res: dict = {"load_and_jfk_s": round(load_and_jfk, 2)}
    res["jfk_wer"] = realsets.wer(
        realsets.JFK_REFERENCE, _text(transcribe_file(realsets.JFK, opts))
    )
    az = realsets.azure_set()
    res["azure_wer"] = realsets.wer(az.reference, _text(transcribe_file(az.path, opts)))
    pairs = [
        (it.reference, _text(transcribe_file(it.path, opts))) for it in realsets.asterisk_set()
    ]
    res["asterisk_wer"] = realsets.corpus_wer(pairs)
    # Generated stereo call: WER, segment-start errors, and speed (the timed run).
    st = calls["stereo"]
    t0 = time.perf_counter()
    tr = transcribe_file(st["path"], opts)
    res["stereo_rtf"] = (time.perf_counter() - t0) / st["duration"]
    ref = " ".join(t[1] for t in st["turns"]).replace("nineteen eighty", "1980")
    res["stereo_wer"] = realsets.wer(ref, _text(tr))
    errors = []
    for speaker, _, start, _end in st["turns"]:
        same = [s.start for s in tr.segments if s.speaker == speaker]
        errors.append(min((abs(s - start) for s in same), default=99.0))
    errors.sort()
    res["start_err_median_s"] = statistics.median(errors)
    res["start_err_p95_s"] = errors[min(len(errors) - 1, round(0.95 * (len(errors) - 1)))]
    # Generated mono call: word attribution.
    mo = calls["mono"]
    tr = transcribe_file(mo["path"], opts)
    right = total = 0
    for seg in tr.segments:
        for w in seg.words:
            mid = (w.start + w.end) / 2
            truth = [t[0] for t in mo["turns"] if t[2] - 0.3 <= mid <= t[3] + 0.3]
            if truth:
                total += 1
                right += seg.speaker == truth[0]
    res["mono_attribution"] = right / max(1, total)
    res["mono_wer"] = realsets.wer(ref, _text(tr))
    # katiesteve: WER against the vendor's output (not a human reference).
    from tests.transcription.test_real_sets import attribution

    ks_ref = realsets.katiesteve_reference()
    ks = transcribe_file(realsets.KATIESTEVE, opts)
    res["katiesteve_wer_vs_vendor"] = realsets.wer(" ".join(t for _, t in ks_ref), _text(ks))
    res["katiesteve_attribution"] = attribution(ks, ks_ref)[0]
    res["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--calls", help=argparse.SUPPRESS)
    ap.add_argument("--only", nargs="*", default=list(CONFIGS))
    ap.add_argument("--out", default=str(GEN / "results.json"))
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(_worker(CONFIGS[args.worker], json.loads(Path(args.calls).read_text()))))
        return
    GEN.mkdir(parents=True, exist_ok=True)
    calls_file = GEN / "calls.json"
    calls_file.write_text(json.dumps(_render()))
    results = {}
    for name in args.only:
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", name, "--calls", str(calls_file)],
            capture_output=True,
            text=True,
            env={
                "OMP_NUM_THREADS": "1",
                "OMP_WAIT_POLICY": "PASSIVE",
                "PATH": "/usr/bin:/bin",
                "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1",
            },
        )
        if proc.returncode != 0:
            print(proc.stderr[-3000:], file=sys.stderr)
            continue
        results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        print(name, results[name], flush=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    base = results.get("faster-whisper int8", {}).get("stereo_rtf")
    cols = [
        "jfk_wer",
        "azure_wer",
        "asterisk_wer",
        "stereo_wer",
        "mono_wer",
        "katiesteve_wer_vs_vendor",
        "katiesteve_attribution",
        "start_err_median_s",
        "start_err_p95_s",
        "mono_attribution",
        "stereo_rtf",
        "peak_rss_mb",
    ]
    print("| config | " + " | ".join(cols) + " | time vs int8 |")
    print("|---" * (len(cols) + 2) + "|")
    for name, r in results.items():
        ratio = f"{r['stereo_rtf'] / base:.2f}×" if base else "-"
        cells = [f"{r[c]:.3f}" if isinstance(r[c], float) else str(r[c]) for c in cols]
        print(f"| {name} | " + " | ".join(cells) + f" | {ratio} |")


if __name__ == "__main__":
    main()
