"""Speech models side by side in one run: WER on real read speech (clean and through a
telephone channel), per-speaker WER on unseen generated two-channel calls, real-time factor per
core (one thread), load time and peak RSS, the overhead of our transcription step over bare
faster-whisper, and what a vocabulary (hotwords) does to names and to general WER.

Each model runs in its own subprocess (peak RSS is per process; one thread, OMP passive), the
models one after the other on the same prepared audio. Writes the JSON that `callreview models`
reads (``<models_dir>/asr_measurements.json``; ``--ship`` also writes the package's copy).

    .venv/bin/python -m bench.asr_models [--models tiny.en base] [--calls 4] [--ship]

Needs Debian's pocketsphinx-testdata (the LibriVox clips); the two-channel calls need the
`bench` extra and festival (tests/support/scenarios_varied.py), and are skipped with a note without.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
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

GEN = ROOT / "bench" / "_generated" / "asr_models"
# The deployment vocabulary of the dealership call in ../shared/data/audio_aws_pca_samples, and
# the phrases said in it that a reviewer checks for (counted in the transcript).
VOCABULARY = ("Big Jim's Auto",)
NAME_PHRASES = ("big jims auto", "first and last name", "locked down")
# Harper Valley Bank: the corpus in ../shared/data has text only (no audio), so its agents' real
# opening lines are spoken by piper's joe and festival's slt and sent through the telephone
# channel — synthetic speech of real wording, counted for "harper valley".
HVB_CALLS = realsets.SHARED_DATA / "hvb_qa_dev" / "calls"
# The bank's whole name, and only its distinctive part.
HVB_VOCABULARIES = {"long": ("Harper Valley National Bank",), "short": ("Harper Valley",)}
TELEPHONE_SNR_DB = 20.0  # a typical line; "noisy" is 10 dB
NOISY_SNR_DB = 10.0


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


# ---------------------------------------------------------------- preparation (parent process


def _prepare_librivox() -> dict[str, Any]:
    items = realsets.librivox_set()
    if not items:
        raise SystemExit(
            f"no LibriVox clips: apt-get install -y {realsets.LIBRIVOX_PACKAGE}"
            f" ({realsets.LIBRIVOX_DIR})"
        )
    sets: dict[str, list[dict[str, str]]] = {"clean": [], "telephone": [], "noisy": []}
    seconds = 0.0
    for i, it in enumerate(items):
        x, sr = realsets.read_wav(it.path)
        seconds += len(x) / sr
        sets["clean"].append({"path": str(it.path), "reference": it.reference})
        for name, snr in (("telephone", TELEPHONE_SNR_DB), ("noisy", NOISY_SNR_DB)):
            out = GEN / name / it.path.name
            realsets.write_wav(out, realsets.telephone(x, sr, snr_db=snr, seed=i), 8000)
            sets[name].append({"path": str(out), "reference": it.reference})
    try:
        from phonesim import PhoneCallSimulator

        sim = PhoneCallSimulator(16000, 8000, profile="pstn_narrowband")
        sets["phonesim"] = []
        for i, it in enumerate(items):
            x, _sr = realsets.read_wav(it.path)
            out = GEN / "phonesim" / it.path.name
            realsets.write_wav(out, sim(x, seed=i), 8000)
            sets["phonesim"].append({"path": str(out), "reference": it.reference})
    except Exception as exc:  # phonesim is optional here: say why it was left out
        sets.pop("phonesim", None)
        print(f"phonesim channel left out: {exc!r}", file=sys.stderr)
    return {"sets": sets, "seconds": seconds}


def _prepare_hvb() -> dict[str, Any]:
    from tests.support import scenarios_varied as sv

    missing = sv.missing_render_tools()
    if missing or not HVB_CALLS.is_dir():
        return {"items": [], "note": f"not rendered, missing: {', '.join(missing) or HVB_CALLS}"}
    items = []
    for i, txt in enumerate(sorted(HVB_CALLS.glob("*.txt"))):
        first = next((ln for ln in txt.read_text().splitlines() if ln.startswith("Agent:")), None)
        if first is None:
            continue
        text = first.removeprefix("Agent:").replace("[noise]", "").strip()
        voice = ("piper:joe@1.0", "festival:slt@1.0")[i % 2]
        x = sv.speak_varied(text, voice, 0, 16000) / 32768.0
        out = GEN / "hvb" / f"{txt.stem}.wav"
        realsets.write_wav(out, realsets.telephone(x, 16000, snr_db=TELEPHONE_SNR_DB, seed=i), 8000)
        items.append({"path": str(out), "reference": text, "voice": voice})
    return {"items": items, "note": ""}


def _prepare_calls(n: int) -> dict[str, Any]:
    if n <= 0:
        return {"calls": [], "note": "not requested"}
    from tests.support import scenarios_varied as sv

    missing = sv.missing_render_tools()
    if missing:
        return {"calls": [], "note": f"not rendered, missing: {', '.join(missing)}"}
    calls = []
    for s in sv.varied_scenarios("unseen", n, seed=0):
        call, _ = sv.render_varied(s, GEN / "calls", layout="stereo")
        refs: dict[str, list[str]] = {"agent": [], "customer": []}
        for t in call.turns:
            refs[t.speaker].append(t.text)
        calls.append(
            {
                "name": s.name,
                "path": str(call.path),
                "duration": call.duration_s,
                "reference": {k: " ".join(v) for k, v in refs.items()},
            }
        )
    return {"calls": calls, "note": ""}


# ---------------------------------------------------------------- measurement (one per model


def _text(segments: Any) -> str:
    return " ".join(s.text for s in segments)


def _count_phrases(text: str) -> dict[str, int]:
    words = " ".join(realsets.normalized_words(text))
    return {p: words.count(p) for p in NAME_PHRASES}


def _worker(model: str, data: dict[str, Any], vocab_probe: bool) -> dict[str, Any]:
    import numpy as np

    from transcription import TranscriptionOptions, transcribe_file
    from transcription.audio import decode_audio
    from transcription.engines import get_engine, get_whisper_model
    from transcription.options import resolve_model_path

    res: dict[str, Any] = {"model": model}
    opts = TranscriptionOptions(model=model, cpu_threads=1, models_dir=data["models_dir"])
    path = resolve_model_path(model, allow_downloads=False, models_dir=opts.models_dir)
    t0 = time.perf_counter()
    engine = get_engine(opts)
    res["load_s"] = round(time.perf_counter() - t0, 2)

    def wer_of(items: list[dict[str, str]], eng: Any) -> tuple[float, float, list[str]]:
        pairs, spent, audio_s = [], 0.0, 0.0
        for it in items:
            x, _ = decode_audio(it["path"], sample_rate=16000)
            t = time.perf_counter()
            hyp = _text(eng.transcribe(x[0]))
            spent += time.perf_counter() - t
            audio_s += x.shape[1] / 16000
            pairs.append((it["reference"], hyp))
        return realsets.corpus_wer(pairs), spent / audio_s, [h for _, h in pairs]

    lib = data["librivox"]["sets"]
    for name, items in lib.items():
        res[f"wer_{name}"], res[f"rtf_{name}"], res[f"hyp_{name}"] = wer_of(items, engine)
        if name == "clean":  # the model loaded and run, nothing else big yet
            res["rss_loaded_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

    # Vocabulary: general WER with the dealership's names as hotwords (must not hurt much).
    if vocab_probe:
        veng = get_engine(
            TranscriptionOptions(
                model=model, cpu_threads=1, models_dir=data["models_dir"], vocabulary=VOCABULARY
            )
        )
        for name in ("clean", "telephone"):
            res[f"wer_{name}_vocab"] = wer_of(lib[name], veng)[0]
        if realsets.AWS_CALL is not None:
            x, _ = decode_audio(realsets.AWS_CALL, sample_rate=16000)
            for label, eng in (("without", engine), ("with", veng)):
                t = time.perf_counter()
                text = _text(eng.transcribe(x[0]))
                res[f"aws_{label}_vocab_s"] = round(time.perf_counter() - t, 1)
                res[f"aws_{label}_vocab"] = _count_phrases(text)
                res[f"aws_{label}_vocab_text"] = text
        hvb = data.get("hvb", {}).get("items", [])
        said = sum("harper valley" in it["reference"] for it in hvb)
        for label, vocab in (("without", ()), *HVB_VOCABULARIES.items()):
            if not hvb:
                break
            heng = get_engine(
                TranscriptionOptions(
                    model=model, cpu_threads=1, models_dir=data["models_dir"], vocabulary=vocab
                )
            )
            wer, _rtf, hyps = wer_of(hvb, heng)
            heard = sum("harper valley" in " ".join(realsets.normalized_words(h)) for h in hyps)
            lost = sum("valley" not in h.lower() for h in hyps)
            res[f"hvb_{label}"] = {
                "vocabulary": list(vocab),
                "harper valley": f"{heard}/{said}",
                "bank name missing": lost,
                "wer": round(wer, 4),
            }
            res[f"hvb_{label}_hyps"] = hyps

    # Two-channel calls: per-speaker WER through transcribe_file, and the step's overhead
    # over bare faster-whisper (same model, options and channel split), interleaved.
    calls = data["calls"]["calls"]
    if calls:
        per: dict[str, list[tuple[str, str]]] = {"agent": [], "customer": []}
        ours: list[float] = []
        bare: list[float] = []
        audio_s = 0.0
        wm = get_whisper_model(path, "cpu", "int8", 1)

        def bare_run(call_path: str) -> None:
            x, _ = decode_audio(call_path, sample_rate=16000)
            for ch in range(x.shape[0]):
                segs, _info = wm.transcribe(
                    np.ascontiguousarray(x[ch]),
                    language="en",
                    beam_size=5,
                    vad_filter=True,
                    word_timestamps=True,
                    condition_on_previous_text=False,
                )
                list(segs)

        for call in calls:
            audio_s += call["duration"]
            # Interleaved, twice each; the faster of two runs (other work shares the CPU).
            ours_t, bare_t = [], []
            for _ in range(2):
                t = time.perf_counter()
                tr = transcribe_file(call["path"], opts)
                ours_t.append(time.perf_counter() - t)
                t = time.perf_counter()
                bare_run(call["path"])
                bare_t.append(time.perf_counter() - t)
            ours.append(min(ours_t))
            bare.append(min(bare_t))
            for spk in per:
                hyp = " ".join(s.text for s in tr.segments if s.speaker == spk)
                per[spk].append((call["reference"][spk], hyp))
        res["calls"] = len(calls)
        res["calls_audio_s"] = round(audio_s, 1)
        for spk in per:
            res[f"wer_{spk}"] = realsets.corpus_wer(per[spk])
            res[f"wer_{spk}_nofill"] = realsets.corpus_wer(per[spk], drop_fillers=True)
        both = per["agent"] + per["customer"]
        res["wer_calls"] = realsets.corpus_wer(both)
        res["wer_calls_nofill"] = realsets.corpus_wer(both, drop_fillers=True)
        res["hyp_calls"] = {spk: [h for _, h in v] for spk, v in per.items()}
        res["rtf_call"] = sum(ours) / audio_s  # wall per audio second, both channels
        res["rtf_call_bare"] = sum(bare) / audio_s
        res["overhead"] = sum(ours) / sum(bare)
        res["overhead_per_call"] = [round(a / b, 3) for a, b in zip(ours, bare, strict=True)]
        if model in data.get("batched", []):
            # faster-whisper's batched pipeline (the GPU path), here on one CPU thread.
            bopts = TranscriptionOptions(
                model=model, cpu_threads=1, models_dir=data["models_dir"], batch_size=8
            )
            bper: list[tuple[str, str]] = []
            t = time.perf_counter()
            for call in calls:
                tr = transcribe_file(call["path"], bopts)
                for spk in per:
                    hyp = " ".join(s.text for s in tr.segments if s.speaker == spk)
                    bper.append((call["reference"][spk], hyp))
            res["rtf_call_batched"] = (time.perf_counter() - t) / audio_s
            res["wer_calls_batched_nofill"] = realsets.corpus_wer(bper, drop_fillers=True)
    res["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return res


# ---------------------------------------------------------------- report


def _fmt(v: Any, pct: bool = False) -> str:
    if v is None:
        return "–"
    return f"{100 * v:.1f}%" if pct else f"{v:.3f}" if isinstance(v, float) else str(v)


def _table(results: dict[str, dict[str, Any]], sets: list[str]) -> str:
    names = list(results)
    rows: list[tuple[str, str, bool]] = [(f"wer_{s}", f"WER {s}", True) for s in sets]
    rows += [
        ("wer_clean_vocab", "WER clean, vocabulary", True),
        ("wer_telephone_vocab", "WER telephone, vocabulary", True),
        ("wer_agent", "WER calls, agent", True),
        ("wer_customer", "WER calls, customer", True),
        ("wer_agent_nofill", "WER calls, agent, fillers out", True),
        ("wer_customer_nofill", "WER calls, customer, fillers out", True),
        ("wer_calls_nofill", "WER calls, both, fillers out", True),
        ("wer_calls_batched_nofill", "  same, batched pipeline (8)", True),
        ("rtf_call_batched", "RTF/core, call, batched (8)", False),
        ("rtf_telephone", "RTF/core, LibriVox telephone", False),
        ("rtf_call", "RTF/core, 2-channel call (ours)", False),
        ("rtf_call_bare", "RTF/core, 2-channel call (bare)", False),
        ("overhead", "ours / bare faster-whisper", False),
        ("load_s", "load s", False),
        ("peak_rss_mb", "peak RSS MB", False),
    ]
    head = f"| {'measure':34} | " + " | ".join(f"{n:>9}" for n in names)
    if len(names) == 2:
        head += f" | {names[1]}/{names[0]}"
    lines = [head, "|" + "---|" * (len(names) + 1 + (len(names) == 2))]
    for key, label, pct in rows:
        vals = [results[n].get(key) for n in names]
        if all(v is None for v in vals):
            continue
        line = f"| {label:34} | " + " | ".join(f"{_fmt(v, pct):>9}" for v in vals)
        if len(names) == 2:
            a, b = vals
            line += f" | {b / a:.2f}" if a and b else " | –"
        lines.append(line)
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    ap.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    ap.add_argument("--calls", type=int, default=4, help="unseen varied two-channel calls")
    ap.add_argument("--no-vocab", action="store_true", help="skip the vocabulary probe")
    ap.add_argument(
        "--batched", nargs="*", default=["base"], help="models also run with batch_size=8"
    )
    ap.add_argument("--models-dir", default="var/models")
    ap.add_argument("--out", default=str(GEN / "results.json"))
    ap.add_argument("--ship", action="store_true", help="also write the package's copy")
    ap.add_argument(
        "--no-record", action="store_true", help="write only --out (a follow-up, not a record)"
    )
    args = ap.parse_args()
    if args.worker:
        data = json.loads(Path(args.data).read_text())
        print(json.dumps(_worker(args.worker, data, data["vocab_probe"])))
        return
    GEN.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    data = {
        "librivox": _prepare_librivox(),
        "calls": _prepare_calls(args.calls),
        "hvb": _prepare_hvb() if not args.no_vocab else {"items": [], "note": "not requested"},
        "batched": args.batched,
        "models_dir": str(Path(args.models_dir).resolve()),
        "vocab_probe": not args.no_vocab,
    }
    print(
        f"prepared in {time.perf_counter() - t0:.0f} s; calls: {len(data['calls']['calls'])}"
        f" {data['calls']['note']}",
        file=sys.stderr,
    )
    data_file = GEN / "data.json"
    data_file.write_text(json.dumps(data))
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
        "OMP_NUM_THREADS": "1",
        "OMP_WAIT_POLICY": "PASSIVE",
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
    }
    results: dict[str, dict[str, Any]] = {}
    for model in args.models:
        t = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "bench.asr_models", "--worker", model, "--data", str(data_file)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=env,
        )
        if proc.returncode != 0:
            raise SystemExit(f"{model} failed:\n{proc.stderr[-3000:]}")
        results[model] = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"{model}: {time.perf_counter() - t:.0f} s", file=sys.stderr)
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    meta = {
        "measured_at": now,
        "commit": _git("rev-parse", "--short", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs",
        "load_avg": os.getloadavg()[0],
        "command": " ".join([Path(sys.executable).name, "-m", "bench.asr_models", *sys.argv[1:]]),
        "librivox_seconds": round(data["librivox"]["seconds"], 1),
        "telephone": f"8 kHz, band-pass 300-3400 Hz, G.711 u-law, line noise {TELEPHONE_SNR_DB:g}"
        f" dB SNR (noisy: {NOISY_SNR_DB:g} dB), seed per clip",
        "calls_note": data["calls"]["note"],
    }
    Path(args.out).write_text(json.dumps({**meta, "models": results}, indent=1))
    summary = {
        **meta,
        "models": {
            m: {
                k: (round(v, 4) if isinstance(v, float) else v)
                for k, v in r.items()
                if k.startswith(
                    ("wer_", "rtf_", "load_s", "peak_rss_mb", "rss_", "overhead", "calls")
                )
                and not isinstance(v, list)
            }
            for m, r in results.items()
        },
    }
    targets = [] if args.no_record else [Path(args.models_dir) / "asr_measurements.json"]
    if args.ship and not args.no_record:
        targets.append(ROOT / "transcription" / "asr_measurements.json")
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(summary, indent=1) + "\n")
    sets = list(data["librivox"]["sets"])
    print(f"{now}  commit {meta['commit']}{' (dirty)' if meta['dirty'] else ''}  {meta['machine']}")
    print(f"LibriVox {meta['librivox_seconds']} s; telephone = {meta['telephone']}")
    print(_table(results, sets))
    for m, r in results.items():
        if "aws_with_vocab" in r:
            print(
                f"{m} dealership call phrases without vocabulary {r['aws_without_vocab']}, "
                f"with {r['aws_with_vocab']} ({r['aws_without_vocab_s']} s / "
                f"{r['aws_with_vocab_s']} s)"
            )
        for label in ("without", *HVB_VOCABULARIES):
            if f"hvb_{label}" in r:
                print(f"{m} Harper Valley greetings (synthetic, telephone): {r[f'hvb_{label}']}")
        if "overhead_per_call" in r:
            print(
                f"{m} overhead per call {r['overhead_per_call']}, median "
                f"{statistics.median(r['overhead_per_call']):.3f}"
            )
    print(f"wrote {', '.join(map(str, [args.out, *targets]))}")


if __name__ == "__main__":
    main()
