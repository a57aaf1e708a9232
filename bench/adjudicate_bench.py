"""The model adjudicator on labelled yes/no questions built from the HVB dev calls.

    OMP_WAIT_POLICY=PASSIVE nice -n 10 .venv/bin/python -m bench.adjudicate_bench \\
        --backend local --variant answer_first [--per-type 20] [--jsonl out.jsonl]
    ... --backend server   # the same GGUF behind llama.cpp's HTTP server (xllamacpp), in a
                           # subprocess, asked through OpenAICompatibleChat
    ... --backend openai --base-url http://host:8000/v1 --model NAME   # any other server

Questions (labels from /work/shared/data/hvb_qa_dev/labels.json, its README's rules; the
held-out calls are never read — only their ids, to refuse them):
- verify: "Did the agent ask for and receive a verification factor … before reading or changing
  account data?" — identity_verification fail → no, na → na (allow_na).
- resolve: "Did the agent give the answer or confirm the action the caller asked for?" —
  resolution pass → yes, fail → no.
- hold_thanks: "Did the agent thank the caller for waiting after the pause?" — hold_etiquette
  fail → no, na → na (allow_na).
- frustration: "Did the customer voice frustration or upset?" — empathy na → no (the README: na
  unless the customer voices frustration).
Excerpt: the call's turns (consecutive segments of one speaker merged), at most 14 from the
start. A rejected answer (bad JSON, an invented quote, no quote) counts as wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scoring.adjudicate import (
    ANSWER_FIRST,
    BASE_SYSTEM_PROMPT,
    DEFAULT_SYSTEM_PROMPT,
    EVIDENCE_FIRST,
    RATIONALE_FIRST,
    Answer,
    ModelAdjudicator,
    Question,
)
from scoring.chat import ChatBackend, LLMRejected, OpenAICompatibleChat, load_llama_cpp
from scoring.gguf import install_gguf
from scoring.timeline import Utterance

REPO = Path(__file__).resolve().parents[1]
DEV = REPO.parent / "shared" / "data" / "hvb_qa_dev"
MAX_TURNS = 14

# name -> (the reply's field order, the question before the excerpt, the system prompt)
VARIANTS: dict[str, tuple[tuple[str, ...], bool, str]] = {
    # The reply's fields in the brief's order, the excerpt before the question.
    "answer_first": (ANSWER_FIRST, False, BASE_SYSTEM_PROMPT),
    # Quote and explain first, then answer.
    "evidence_first": (EVIDENCE_FIRST, False, BASE_SYSTEM_PROMPT),
    # The question before the excerpt, reasoning before the answer.
    "question_first": (RATIONALE_FIRST, True, BASE_SYSTEM_PROMPT),
    # As question_first, plus one worked "no" example in the system prompt (the default).
    "fewshot": (RATIONALE_FIRST, True, DEFAULT_SYSTEM_PROMPT),
}

QUESTIONS = {
    "verify": (
        "identity_verification",
        "Did the agent ask for and receive a verification factor (date of birth, address or "
        "postcode on file, last digits of a card or account, email on file, security question, "
        "PIN) before reading or changing account data?",
        "The caller's name alone is not verification. An address or phone number taken as "
        "where to send something is not verification. Answer na when no account data is read "
        "or changed (branch hours, booking an appointment).",
        True,
        {"fail": "no", "na": "na", "pass": "yes"},
    ),
    "resolve": (
        "resolution",
        "Did the agent give the answer or confirm the action the caller asked for?",
        "Yes when the agent states the answer, or confirms the action or concrete next steps "
        '("has been transferred", "the link has been sent", "your balance is"). No when the '
        "agent moves on without confirming, only repeats the caller's values back, or confirms "
        "something else than what was asked.",
        False,
        {"pass": "yes", "fail": "no"},
    ),
    "hold_thanks": (
        "hold_etiquette",
        "Did the agent thank the caller for waiting after the pause?",
        "A pause is when the agent asks the caller to wait (one moment, hold on) and then "
        "comes back. Answer na when the agent never asks the caller to wait.",
        True,
        {"pass": "yes", "fail": "no", "na": "na"},
    ),
    "frustration": (
        "empathy",
        "Did the customer voice frustration or upset?",
        "Complaints, annoyance, anger or distress count; a plain request or thanks does not.",
        False,
        {"na": "no", "pass": "yes", "fail": "yes"},
    ),
}


@dataclass(frozen=True)
class Item:
    sid: str
    kind: str
    question: Question
    expected: str
    minutes: float


def call_turns(sid: str) -> list[Utterance]:
    segs = json.loads((DEV / "calls" / f"{sid}.json").read_text())["segments"]
    out: list[Utterance] = []
    for s in segs:
        if out and out[-1].speaker == s["speaker"]:
            last = out[-1]
            out[-1] = Utterance(
                last.index, last.start, s["end"], last.speaker, f"{last.text} {s['text']}"
            )
        else:
            out.append(Utterance(len(out), s["start"], s["end"], s["speaker"], s["text"]))
    return out


def dev_items(per_type: int | None) -> list[Item]:
    held = set((DEV / "HELD_OUT_SIDS.txt").read_text().split())
    labels = json.loads((DEV / "labels.json").read_text())
    sids = sorted(labels)
    if held & set(sids):
        raise SystemExit(f"refusing held-out calls: {sorted(held & set(sids))}")
    items: list[Item] = []
    for kind, (crit, text, guidance, allow_na, mapping) in QUESTIONS.items():
        chosen = sids if per_type is None else _spread(sids, labels, crit, per_type)
        for sid in chosen:
            turns = call_turns(sid)
            q = Question(crit, text, tuple(turns[:MAX_TURNS]), guidance, allow_na)
            expected = mapping[labels[sid]["labels"][crit]]
            items.append(Item(sid, kind, q, expected, turns[-1].end / 60.0))
    return items


def _spread(sids: list[str], labels: dict[str, dict], crit: str, n: int) -> list[str]:
    """``n`` calls, every label of the criterion represented (minority labels first)."""
    by: dict[str, list[str]] = defaultdict(list)
    for sid in sids:
        by[labels[sid]["labels"][crit]].append(sid)
    out: list[str] = []
    groups = sorted(by.values(), key=len)
    while len(out) < n and any(groups):
        for g in groups:
            if g and len(out) < n:
                out.append(g.pop(0))
    return sorted(out)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def llama_server(gguf: Path, threads: int) -> Iterator[str]:
    """`callreview models llm serve` in a subprocess; yields its base URL."""
    port = _free_port()
    env = dict(os.environ, CALLREVIEW_LLM_MODEL_PATH=str(gguf), CALLREVIEW_LLM_THREADS=str(threads))
    cmd = [sys.executable, "-m", "api.cli", "models", "llm", "serve", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the llama.cpp server exited with {proc.returncode}")
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the llama.cpp server did not come up in 120 s")
            time.sleep(0.3)
        yield base + "/v1"
    finally:
        proc.terminate()
        proc.wait(10)


def run(adj: ModelAdjudicator, items: list[Item], jsonl: Path | None) -> list[dict]:
    rows: list[dict] = []
    out = jsonl.open("a") if jsonl else None
    for n, it in enumerate(items, 1):
        t0 = time.perf_counter()
        got: Answer | None = None
        reason = ""
        try:
            got = adj.ask(it.question)
        except LLMRejected as exc:
            reason = exc.reason
        row = {
            "sid": it.sid,
            "kind": it.kind,
            "expected": it.expected,
            "answer": got.answer if got else "rejected",
            "reason": reason,
            "confidence": got.confidence if got else None,
            "quotes": [q.text for q in got.quotes] if got else [],
            "seconds": time.perf_counter() - t0,
            "prompt_tokens": got.prompt_tokens if got else None,
            "completion_tokens": got.completion_tokens if got else None,
            "prompt_ms": got.prompt_ms if got else None,
            "predicted_ms": got.predicted_ms if got else None,
            "minutes": it.minutes,
        }
        rows.append(row)
        mark = "ok" if row["answer"] == it.expected else "XX"
        print(
            f"[{n}/{len(items)}] {mark} {it.kind:12} {it.sid} expected {it.expected:3} got "
            f"{row['answer']:8} {row['seconds']:5.1f} s {reason}",
            flush=True,
        )
        if out:
            out.write(json.dumps(row) + "\n")
            out.flush()
    if out:
        out.close()
    return rows


def report(rows: list[dict], label: str) -> None:
    kinds = sorted({r["kind"] for r in rows})
    print(f"\n### {label}\n")
    print("| question | n | right | accuracy | rejected | always-majority |")
    print("|---|---|---|---|---|---|")
    for k in [*kinds, "all"]:
        rs = [r for r in rows if k in ("all", r["kind"])]
        right = sum(r["answer"] == r["expected"] for r in rs)
        rej = sum(r["answer"] == "rejected" for r in rs)
        majority = max(sum(r["expected"] == e for r in rs) for e in {r["expected"] for r in rs})
        acc, base = right / len(rs), majority / len(rs)
        print(f"| {k} | {len(rs)} | {right} | {acc:.0%} | {rej} | {base:.0%} |")
    ok = [r for r in rows if r["prompt_tokens"]]
    secs = [r["seconds"] for r in rows]
    print()
    mean, median = statistics.mean(secs), statistics.median(secs)
    print(f"- mean seconds per question: {mean:.1f} (median {median:.1f})")
    if ok:
        pt = statistics.mean(r["prompt_tokens"] for r in ok)
        ct = statistics.mean(r["completion_tokens"] for r in ok)
        print(f"- prompt tokens per question: {pt:.0f}; completion tokens: {ct:.0f}")
        timed = [r for r in ok if r["prompt_ms"] and r["predicted_ms"]]
        if timed:
            pps = sum(r["prompt_tokens"] for r in timed) / sum(r["prompt_ms"] for r in timed) * 1e3
            gps = (
                sum(r["completion_tokens"] for r in timed)
                / sum(r["predicted_ms"] for r in timed)
                * 1e3
            )
            print(f"- llama.cpp timings: prompt {pps:.1f} tok/s, generation {gps:.1f} tok/s")
    per_call: dict[str, float] = defaultdict(float)
    minutes: dict[str, float] = {}
    for r in rows:
        per_call[r["sid"]] += r["seconds"]
        minutes[r["sid"]] = r["minutes"]
    n_kinds = len(kinds)
    cpu_s_per_min = sum(per_call.values()) / sum(minutes.values())
    print(
        f"- compute per call-minute ({n_kinds} questions per call): {cpu_s_per_min:.0f} s of one "
        f"core; at $0.04 per vCPU-hour ≈ ${cpu_s_per_min / 3600 * 0.04:.5f} per call-minute"
    )


def agreement(rows: list[dict], other: Path) -> None:
    """Same question, same answer and quotes as another run (e.g. in-process vs server)?"""
    theirs = {(r["kind"], r["sid"]): r for r in map(json.loads, other.read_text().splitlines())}
    pairs = [(r, theirs[(r["kind"], r["sid"])]) for r in rows if (r["kind"], r["sid"]) in theirs]
    same = sum(a["answer"] == b["answer"] for a, b in pairs)
    quotes = sum(a["quotes"] == b["quotes"] for a, b in pairs)
    print(
        f"- agreement with {other.name}: answers {same}/{len(pairs)}, quotes {quotes}/{len(pairs)}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backend", choices=["local", "server", "openai"], default="local")
    ap.add_argument("--variant", choices=sorted(VARIANTS), default="fewshot")
    ap.add_argument("--per-type", type=int, default=None, help="questions per type (all: 20)")
    ap.add_argument("--kinds", default=",".join(QUESTIONS))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--models-dir", type=Path, default=REPO / "var" / "models")
    ap.add_argument("--base-url")
    ap.add_argument("--model")
    ap.add_argument("--jsonl", type=Path)
    ap.add_argument("--agree-with", type=Path, help="a --jsonl file of another run to compare")
    args = ap.parse_args()
    kinds = set(args.kinds.split(","))
    items = [it for it in dev_items(args.per_type) if it.kind in kinds]
    gguf = install_gguf(args.models_dir)
    order, question_first, system_prompt = VARIANTS[args.variant]
    label = f"{args.backend}, variant {args.variant}, {len(items)} questions"
    print(f"# {label}; load average {os.getloadavg()[0]:.1f}", flush=True)

    def adjudicator(backend: ChatBackend) -> ModelAdjudicator:
        return ModelAdjudicator(
            backend, system_prompt=system_prompt, order=order, question_first=question_first
        )

    if args.backend == "local":
        t0 = time.perf_counter()
        chat: ChatBackend = load_llama_cpp(str(gguf), args.threads)
        print(f"# model loaded in {time.perf_counter() - t0:.1f} s", flush=True)
        rows = run(adjudicator(chat), items, args.jsonl)
    elif args.backend == "server":
        with llama_server(gguf, args.threads) as base:
            client = OpenAICompatibleChat(base, "qwen2.5-coder-1.5b-instruct-q4_k_m", timeout_s=600)
            rows = run(adjudicator(client), items, args.jsonl)
    else:
        if not (args.base_url and args.model):
            raise SystemExit("--backend openai needs --base-url and --model")
        client = OpenAICompatibleChat(args.base_url, args.model, timeout_s=600)
        rows = run(adjudicator(client), items, args.jsonl)
    report(rows, label)
    if args.agree_with:
        agreement(rows, args.agree_with)


if __name__ == "__main__":
    main()
