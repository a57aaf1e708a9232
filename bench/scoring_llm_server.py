"""Run the `llm` evaluator against a real OpenAI-compatible server and record the exchanges.

    .venv/bin/python -m bench.scoring_llm_server --base-url http://localhost:8765/v1 \\
        --model /tmp/gemma-hf [--record tests/scoring/data/llm_recording.json]

For each hand-written call in tests/support/scoring_calls.py and each criterion of the test rubric
tests/scoring/data/extended.yaml that uses `llm`, sends the real request, prints whether the
verdict was used or discarded (and why), and optionally writes request/response pairs that the
test suite replays (tests/scoring/test_llm.py). Tiny models judge at chance (MEASURED.md): this
measures the protocol, not quality.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import httpx

from scoring import LLMConfig, evaluate, load_rubric
from scoring.engine import CallContext
from scoring.llm import LLMRejected, ask
from scoring.rubric import LLMEvaluator
from tests.support.scoring_calls import bad_call, good_call

RUBRIC = Path("tests/scoring/data/extended.yaml")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--api-key", default=None)
    ap.add_argument("--record", type=Path, default=None)
    ap.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args()
    exchanges: list[dict[str, Any]] = []

    def log(resp: httpx.Response) -> None:
        resp.read()
        exchanges.append(
            {
                "request": json.loads(resp.request.content),
                "status": resp.status_code,
                "response": resp.json(),
            }
        )

    rubric = load_rubric(RUBRIC)
    config = LLMConfig(args.base_url, args.model, args.api_key, timeout_s=args.timeout, retries=0)
    with httpx.Client(event_hooks={"response": [log]}) as client:
        for name, call in (("good_call", good_call()), ("bad_call", bad_call())):
            ctx = CallContext(call, None, rubric.book)
            for _, crit in rubric.criteria:
                ev = crit.evaluator
                if not isinstance(ev, LLMEvaluator):
                    continue
                t0 = time.perf_counter()
                try:
                    v = ask(config, crit, ev, ctx.select(ev.window), client=client)
                    what = f"used: {v.verdict} ({v.confidence:.2f}) {v.rationale!r}"
                except LLMRejected as exc:
                    what = f"discarded: {exc.reason}"
                print(f"{name} {crit.id}: {what} [{time.perf_counter() - t0:.1f} s]")
        ev_full = evaluate(good_call(), rubric, llm=config)
        print(
            "full evaluation, good_call:", [(c.id, c.verdict, c.method) for c in ev_full.criteria]
        )
    if args.record:
        args.record.write_text(json.dumps(exchanges, indent=1, ensure_ascii=False) + "\n")
        print(f"recorded {len(exchanges)} exchanges to {args.record}")


if __name__ == "__main__":
    main()
