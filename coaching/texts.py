"""What coaching says about each criterion comes from the rubric (``coaching:`` on a criterion),
so a rubric's own criteria get their own praise, next steps, tips and tasks; a criterion
without them gets generic ones built from its name."""

from __future__ import annotations

from collections.abc import Mapping

from scoring.rubric import CoachingText, Rubric, default_rubric

Texts = Mapping[str, CoachingText]

GENERIC = CoachingText(
    strength="{name}: done well at {t}.",
    improvement="{name}: {rationale} Let's listen to {t} together and plan the next step.",
    tip="Let's listen to these moments together and agree on one thing to try next time.",
    task="Practise {name} with your coach.",
)


def texts_for(*rubrics: Rubric) -> dict[str, CoachingText]:
    """Coaching texts by criterion id; a later rubric's text wins for the same id."""
    out: dict[str, CoachingText] = {}
    for rubric in rubrics:
        for _, crit in rubric.criteria:
            out[crit.id] = crit.coaching
    return out


def default_texts() -> dict[str, CoachingText]:
    return texts_for(default_rubric())


def text_for(texts: Texts | None, criterion: str) -> CoachingText:
    """The criterion's texts, every empty one filled with the generic text."""
    own = (texts if texts is not None else default_texts()).get(criterion, CoachingText())
    fill = {k: v for k, v in GENERIC.model_dump().items() if not getattr(own, k)}
    return own.model_copy(update=fill) if fill else own


def name_of(criterion: str) -> str:
    return criterion.replace("_", " ").capitalize()


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def fill(template: str, **values: str) -> str:
    """``template`` with the values given; a placeholder with no value here is left empty (the
    rubric validates placeholder names, so none can reach an attribute)."""
    return template.format_map(_Blank(values))
