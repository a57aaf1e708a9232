"""`--format table`: a readable summary of each review."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table

_VERDICT_STYLE = {"pass": "green", "fail": "bold red", "na": "dim"}


def _ts(seconds: float | None) -> str:
    if seconds is None:
        return ""
    m, s = divmod(float(seconds), 60)
    return f"{int(m)}:{s:04.1f}"


# Under this many columns the six-column table would cut verdicts and rationales short, so each
# criterion is printed as a block: a line of figures, then its rationale wrapped below.
WIDE = 100


def _evidence(c: dict[str, Any]) -> str:
    return ", ".join(f"{_ts(e['start'])}–{_ts(e['end'])}" for e in c["evidence"][:3])


def _criteria_table(criteria: list[dict[str, Any]]) -> Table:
    table = Table(show_header=True, header_style="bold", expand=False)
    for col in ("criterion", "verdict", "conf.", "points", "evidence"):
        table.add_column(col, no_wrap=True)
    table.add_column("rationale", overflow="fold")
    for c in criteria:
        style = _VERDICT_STYLE.get(c["verdict"], "")
        table.add_row(
            c["id"] + (" *" if c.get("critical") else ""),
            f"[{style}]{c['verdict']}[/]",
            f"{c['confidence']:.2f}",
            f"{c['points']:g}/{c['max_points']:g}",
            _evidence(c),
            c["rationale"],
        )
    return table


def _criteria_blocks(console: Console, criteria: list[dict[str, Any]]) -> None:
    for c in criteria:
        style = _VERDICT_STYLE.get(c["verdict"], "")
        name = c["id"] + (" *" if c.get("critical") else "")
        figures = f"{c['confidence']:.2f}  {c['points']:g}/{c['max_points']:g}"
        console.print(f"[bold]{escape(name)}[/]  [{style}]{c['verdict']}[/]  {figures}")
        if c["evidence"]:
            console.print(Padding(f"at {_evidence(c)}", (0, 0, 0, 4)))
        console.print(Padding(escape(c["rationale"]), (0, 0, 0, 4)))


def print_reviews(results: list[dict[str, Any]], console: Console | None = None) -> None:
    if console is None:
        console = Console()
        if not console.is_terminal:
            console = Console(width=160)  # piped output: don't squeeze criterion names
    for r in results:
        dur = r["audio"]["duration_s"]
        head = f"[bold]{r['filename'] or r['call_id']}[/] — agent {r['agent']} — {r['status']}"
        if dur:
            head += f" — {_ts(dur)}"
        console.rule(head)
        if r["status"] == "failed":
            err = r.get("error") or {}
            console.print(f"[red]failed at {err.get('step')}: {err.get('message')}[/]")
            continue
        if r["status"] == "not_scorable":
            why = (r.get("scorability") or {}).get("detail", "")
            console.print(f"[yellow]not scorable: {why}[/]")
            continue
        ev = r.get("evaluation")
        if not ev:
            console.print("not scored yet")
            continue
        verdict = "AUTO-FAILED" if ev["auto_failed"] else ""
        if ev.get("provisional"):
            verdict = "PROVISIONAL (an unsure critical fail waits for a reviewer)"
        rubric = f"{ev['rubric']} v{ev['rubric_version']}"
        console.print(f"score [bold]{ev['score']:.1f}[/] / 100 {verdict}  ({rubric})")
        if console.width < WIDE:
            _criteria_blocks(console, ev["criteria"])
        else:
            console.print(_criteria_table(ev["criteria"]))
        if r["moments"]:
            console.print("[bold]moments[/]")
            for m in r["moments"]:
                console.print(
                    f"  {_ts(m['start'])}–{_ts(m['end'])}  {m['severity']:<8} {m['type']}: "
                    f"{m['description']}"
                )
        fb = r.get("feedback") or {}
        for s in fb.get("strengths", []):
            console.print(f"  [green]+[/] {s}")
        for imp in fb.get("improvements", []):
            console.print(f"  [yellow]→[/] {imp['text']}")
