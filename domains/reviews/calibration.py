"""Calibration sessions: a QA lead asks several analysts to score one call blind. Until an
analyst submits, the session shows them the call and the rubric's questions only: no AI
verdicts and no colleague's answers (and the call's own review is closed to them, see
``blind_for``). On close, the agreed answer per criterion is the lead's final answer where
given, else the strict majority; then the spread per criterion and each analyst's distance
from the agreed answers are reported. Helpers never commit."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from domains.audit.service import record
from domains.auth.access import can_see_agent, visible_call
from domains.reviews.service import current_evaluation
from domains.rubrics.service import stored_rubric
from models.accounts import Role, User
from models.calibration import CalibrationParticipant, CalibrationSession, CalibrationStatus
from models.calls import Call, CallStatus
from models.reviews import EvaluationRow
from models.rubrics import RubricRow
from scoring.rubric import Rubric
from scoring.types import VERDICTS

LEADS = (Role.admin, Role.qa_analyst)
MAX_PARTICIPANTS = 50


def create_session(
    session: Session,
    call: Call,
    *,
    participant_ids: list[uuid.UUID],
    title: str,
    by: User,
) -> CalibrationSession:
    if call.status != CallStatus.scored:
        raise Conflict(f"call {call.id} is {call.status.value}; calibrate a scored call")
    evaluation = current_evaluation(session, call.id)
    if evaluation is None:
        raise Conflict(f"call {call.id} has no evaluation")
    ids = list(dict.fromkeys(participant_ids))
    if len(ids) < 2:
        raise InvalidInput("a calibration session needs at least two analysts")
    if len(ids) > MAX_PARTICIPANTS:
        raise InvalidInput(f"at most {MAX_PARTICIPANTS} analysts per session")
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    for uid in ids:
        user = users.get(uid)
        if user is None or not user.active:
            raise NotFound(f"user {uid} not found")
        if user.role == Role.agent or not can_see_agent(user, call.agent):
            raise InvalidInput(f"{user.name} cannot review this call")
    cal = CalibrationSession(
        call_id=call.id,
        rubric_id=evaluation.rubric_id,
        lead_id=by.id,
        title=title.strip()[:200],
        participants=[CalibrationParticipant(user_id=uid, position=i) for i, uid in enumerate(ids)],
    )
    session.add(cal)
    session.flush()
    record(
        session,
        actor_id=by.id,
        action="calibration.create",
        entity="calibration",
        entity_id=cal.id,
        call_id=str(call.id),
        participants=[str(u) for u in ids],
    )
    return cal


def _may_see(cal: CalibrationSession, user: User) -> bool:
    return (
        user.role == Role.admin
        or cal.lead_id == user.id
        or any(p.user_id == user.id for p in cal.participants)
    )


def get_session(session: Session, user: User, session_id: uuid.UUID) -> CalibrationSession:
    cal = session.get(CalibrationSession, session_id)
    if cal is None or not _may_see(cal, user):
        raise NotFound(f"calibration session {session_id} not found")
    return cal


def list_sessions(session: Session, user: User) -> list[CalibrationSession]:
    query = select(CalibrationSession).order_by(CalibrationSession.created_at.desc())
    if user.role != Role.admin:
        mine = select(CalibrationParticipant.session_id).where(
            CalibrationParticipant.user_id == user.id
        )
        query = query.where(
            (CalibrationSession.lead_id == user.id) | CalibrationSession.id.in_(mine)
        )
    return list(session.scalars(query))


def blind_call_ids(user: User) -> Select[uuid.UUID]:
    """The calls ``user`` is scoring blind right now (open session, answers not submitted):
    nothing that shows the AI's or others' verdicts may include them for this user."""
    return (
        select(CalibrationSession.call_id)
        .join(CalibrationParticipant, CalibrationSession.id == CalibrationParticipant.session_id)
        .where(
            CalibrationSession.status == CalibrationStatus.open,
            CalibrationParticipant.user_id == user.id,
            CalibrationParticipant.submitted_at.is_(None),
        )
    )


def blind_for(session: Session, user: User, call_id: uuid.UUID) -> bool:
    """True while ``user`` has an open session on this call and has not submitted."""
    return (
        session.scalar(
            select(CalibrationParticipant.id)
            .join(CalibrationSession, CalibrationSession.id == CalibrationParticipant.session_id)
            .where(
                CalibrationSession.call_id == call_id,
                CalibrationSession.status == CalibrationStatus.open,
                CalibrationParticipant.user_id == user.id,
                CalibrationParticipant.submitted_at.is_(None),
            )
            .limit(1)
        )
        is not None
    )


def ensure_not_blind(session: Session, user: User, call_id: uuid.UUID) -> None:
    """The call's review (with the AI's verdicts) stays closed to an analyst scoring it blind."""
    if blind_for(session, user, call_id):
        raise Forbidden(
            "you are scoring this call blind in a calibration session; its review opens once "
            "you submit your answers"
        )


def _rubric(session: Session, cal: CalibrationSession) -> Rubric:
    row = session.get(RubricRow, cal.rubric_id)
    assert row is not None
    return stored_rubric(row)


def _check_answers(rubric: Rubric, answers: dict[str, str], what: str) -> dict[str, str]:
    criteria = {crit.id: crit for _, crit in rubric.criteria}
    unknown = sorted(set(answers) - set(criteria))
    if unknown:
        raise InvalidInput(f"{what}: unknown criteria {', '.join(unknown)}")
    for cid, verdict in answers.items():
        if verdict not in VERDICTS:
            raise InvalidInput(f"{what}.{cid}: verdict must be one of {', '.join(VERDICTS)}")
        if verdict == "na" and not criteria[cid].na_allowed:
            raise InvalidInput(f"{what}.{cid}: this criterion does not allow N/A")
    return answers


def submit_answers(
    session: Session,
    cal: CalibrationSession,
    *,
    answers: dict[str, str],
    notes: dict[str, str],
    by: User,
) -> CalibrationParticipant:
    """An analyst's verdict for every criterion, once: after submitting they see the others'
    answers and the AI's, so a second submission would not be blind."""
    me = next((p for p in cal.participants if p.user_id == by.id), None)
    if me is None:
        raise Forbidden("only the session's analysts submit answers")
    if cal.status != CalibrationStatus.open:
        raise Conflict("the session is closed")
    if me.submitted_at is not None:
        raise Conflict("you have already submitted your answers")
    rubric = _rubric(session, cal)
    _check_answers(rubric, answers, "answers")
    missing = [crit.id for _, crit in rubric.criteria if crit.id not in answers]
    if missing:
        raise InvalidInput(f"answers: missing criteria {', '.join(missing)}")
    me.answers = {
        cid: {"verdict": v, "note": (notes.get(cid) or "").strip()[:2000]}
        for cid, v in answers.items()
    }
    me.submitted_at = datetime.now(UTC)
    session.flush()
    record(
        session,
        actor_id=by.id,
        action="calibration.submit",
        entity="calibration",
        entity_id=cal.id,
    )
    return me


def close_session(
    session: Session, cal: CalibrationSession, *, final: dict[str, str], by: User
) -> CalibrationSession:
    if by.role != Role.admin and cal.lead_id != by.id:
        raise Forbidden("only the session's lead closes it")
    if cal.status != CalibrationStatus.open:
        raise Conflict("the session is already closed")
    rubric = _rubric(session, cal)
    _check_answers(rubric, final, "final")
    submitted = [p for p in cal.participants if p.submitted_at is not None]
    if len(submitted) < 2:
        raise Conflict("close the session once at least two analysts have submitted")
    agreed: dict[str, Any] = {}
    for _, crit in rubric.criteria:
        if crit.id in final:
            agreed[crit.id] = {"verdict": final[crit.id], "by": "lead"}
            continue
        counts = Counter(p.answers[crit.id]["verdict"] for p in submitted)
        verdict, top = counts.most_common(1)[0]
        # A strict majority decides; otherwise the lead must give the answer.
        agreed[crit.id] = (
            {"verdict": verdict, "by": "majority"}
            if top * 2 > len(submitted)
            else {"verdict": None, "by": "none"}
        )
    cal.agreed = agreed
    cal.status = CalibrationStatus.closed
    cal.closed_at = datetime.now(UTC)
    session.flush()
    record(
        session,
        actor_id=by.id,
        action="calibration.close",
        entity="calibration",
        entity_id=cal.id,
        agreed={k: v["verdict"] for k, v in agreed.items()},
    )
    return cal


def results(cal: CalibrationSession, rubric: Rubric) -> dict[str, Any]:
    """Spread per criterion (1 - the share of the most common answer: 0 when everyone agrees)
    and, per analyst, how many agreed answers they missed (distance = mismatches / criteria
    with an agreed answer)."""
    submitted = [p for p in cal.participants if p.submitted_at is not None]
    agreed = {cid: a["verdict"] for cid, a in cal.agreed.items()}
    decided = [cid for cid, v in agreed.items() if v is not None]
    criteria = []
    for _, crit in rubric.criteria:
        answers = [p.answers[crit.id]["verdict"] for p in submitted if crit.id in p.answers]
        counts = Counter(answers)
        top = counts.most_common(1)[0][1] if counts else 0
        target = agreed.get(crit.id)
        criteria.append(
            {
                "id": crit.id,
                "counts": {v: counts[v] for v in VERDICTS},
                "spread": round(1 - top / len(answers), 4) if answers else None,
                "agreed": target,
                "agreed_by": cal.agreed.get(crit.id, {}).get("by"),
                "matching_agreed": sum(a == target for a in answers) if target else None,
            }
        )
    analysts = []
    for p in submitted:
        missed = [cid for cid in decided if p.answers.get(cid, {}).get("verdict") != agreed[cid]]
        analysts.append(
            {
                "user_id": str(p.user_id),
                "name": p.user.name,
                "mismatches": len(missed),
                "compared": len(decided),
                "distance": round(len(missed) / len(decided), 4) if decided else None,
                "missed": missed,
            }
        )
    return {"criteria": criteria, "analysts": analysts}


def session_json(session: Session, cal: CalibrationSession, user: User) -> dict[str, Any]:
    """What ``user`` may see of the session: blind (own answers only, no AI verdicts) until
    they submit or the session closes."""
    rubric = _rubric(session, cal)
    me = next((p for p in cal.participants if p.user_id == user.id), None)
    is_lead = user.role == Role.admin or cal.lead_id == user.id
    sees_all = (
        cal.status == CalibrationStatus.closed
        or (me is not None and me.submitted_at is not None)
        or (is_lead and me is None)
    )
    out: dict[str, Any] = {
        "id": str(cal.id),
        "call_id": str(cal.call_id),
        "title": cal.title,
        "status": cal.status.value,
        "lead_id": str(cal.lead_id),
        "rubric_version": stored_rubric_version(session, cal),
        "created_at": cal.created_at.isoformat(),
        "closed_at": cal.closed_at.isoformat() if cal.closed_at else None,
        "blind": not sees_all,
        "criteria": [
            {
                "id": crit.id,
                "section": section.title,
                "question": crit.question,
                "guidance": crit.guidance,
                "na_allowed": crit.na_allowed,
            }
            for section, crit in rubric.criteria
        ],
        "participants": [
            {
                "user_id": str(p.user_id),
                "name": p.user.name,
                "submitted": p.submitted_at is not None,
                **({"answers": p.answers} if sees_all or p.user_id == user.id else {}),
            }
            for p in cal.participants
        ],
    }
    if sees_all:
        ai = session.scalar(
            select(EvaluationRow).where(
                EvaluationRow.call_id == cal.call_id,
                EvaluationRow.rubric_id == cal.rubric_id,
                EvaluationRow.source == "ai",
            )
        )
        out["ai_verdicts"] = {c.criterion_id: c.verdict for c in ai.criteria} if ai else {}
    if cal.status == CalibrationStatus.closed:
        out["results"] = results(cal, rubric)
    return out


def stored_rubric_version(session: Session, cal: CalibrationSession) -> dict[str, Any]:
    row = session.get(RubricRow, cal.rubric_id)
    assert row is not None
    return {"name": row.name, "version": row.version}


def visible_session_call(session: Session, user: User, call_id: uuid.UUID) -> Call:
    """The call a lead opens a session on: one they may see."""
    if user.role not in LEADS:
        raise Forbidden("only admins and QA analysts run calibration sessions")
    return visible_call(session, user, call_id)
