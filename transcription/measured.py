"""Measured accuracy and speed per speech model, for ``callreview models``.

``bench/asr_models.py`` measures each model side by side (WER on real read speech, clean and
through a telephone channel; real-time factor on one core; load time; peak memory) and writes
``<models_dir>/asr_measurements.json`` — measured on *this* machine. A copy measured on the
project's reference machine ships in the package (``transcription/asr_measurements.json``) and
is shown, labelled as such, where no local measurement exists. A model in neither is
"not measured": nothing here is estimated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILENAME = "asr_measurements.json"
SHIPPED = Path(__file__).with_name(FILENAME)


@dataclass(frozen=True)
class Measurement:
    model: str
    wer_clean: float | None  # LibriVox clips, 16 kHz
    wer_telephone: float | None  # the same through 8 kHz G.711 + band-pass + line noise
    wer_calls: float | None  # generated two-channel telephone calls, hesitations left out
    rtf: float | None  # processing s per audio s on two-channel calls (both), one thread
    load_s: float | None
    peak_rss_mb: float | None
    source: str  # "this machine (<date>)" or "reference machine (<date>)"

    def summary(self) -> str:
        def pct(v: float | None) -> str:
            return "–" if v is None else f"{100 * v:.1f}%"

        speed = "speed not measured" if not self.rtf else f"{1 / self.rtf:.1f}x real time/core"
        return (
            f"WER clean {pct(self.wer_clean)} telephone {pct(self.wer_telephone)} "
            f"calls {pct(self.wer_calls)}, {speed} [{self.source}]"
        )


def _read(path: Path, label: str) -> dict[str, Measurement]:
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    source = f"{label} ({str(data.get('measured_at', '?'))[:10]})"
    out = {}
    for name, m in (data.get("models") or {}).items():
        if not isinstance(m, dict):
            continue
        out[name] = Measurement(
            model=name,
            wer_clean=m.get("wer_clean"),
            wer_telephone=m.get("wer_telephone"),
            wer_calls=m.get("wer_calls_nofill"),
            rtf=m.get("rtf_call"),
            load_s=m.get("load_s"),
            peak_rss_mb=m.get("peak_rss_mb"),
            source=source,
        )
    return out


def load_measurements(models_dir: str | Path | None) -> dict[str, Measurement]:
    """Per model name: the local measurement if there is one, else the shipped one."""
    found = _read(SHIPPED, "reference machine")
    if models_dir is not None:
        found.update(_read(Path(models_dir) / FILENAME, "this machine"))
    return found
