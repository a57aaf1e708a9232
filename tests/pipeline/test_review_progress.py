"""`callreview review` hears each step of each file as it starts (a long call shows progress)."""

from __future__ import annotations

from pathlib import Path

from domains.kit.services import Services
from pipeline.review import review_paths

TRANSCRIPT = """\
Agent: Thank you for calling Acme, this is Dana. How can I help you today?
Customer: Hi, I was charged twice for my order.
Agent: I'm sorry about that. Let me check the order for you.
Customer: Thanks.
Agent: I see both charges; I've refunded the second one. Anything else I can help with?
Customer: No, that's all. Thank you.
Agent: Thank you for calling, have a great day.
"""


def test_review_reports_each_step_then_each_file(svc: Services, tmp_path: Path):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(TRANSCRIPT)
    second.write_text(TRANSCRIPT.replace("Dana", "Omar"))
    heard: list[tuple[str, ...]] = []
    outcome = review_paths(
        svc,
        [first, second],
        agent="Dana",
        on_step=lambda name, step: heard.append((name, step)),
        on_done=lambda name: heard.append((name, "done")),
    )
    assert [r["status"] for r in outcome.results] == ["scored", "scored"]
    assert heard == [
        ("a.txt", "transcribe"),
        ("a.txt", "score"),
        ("a.txt", "done"),
        ("b.txt", "transcribe"),
        ("b.txt", "score"),
        ("b.txt", "done"),
    ]
    # a file reviewed before runs no step again
    heard.clear()
    review_paths(svc, [first], agent="Dana", on_step=lambda n, s: heard.append((n, s)))
    assert heard == []
