"""What a domain needs to know about work to run: the steps' names, which step a call waits
for, and the dispatcher's interface (the dispatchers themselves live in ``pipeline``)."""

from __future__ import annotations

import uuid
from typing import Protocol

from models.calls import CallStatus

STEP_TRANSCRIBE = "transcribe"
STEP_SCORE = "score"


class Dispatcher(Protocol):
    def enqueue(
        self, call_id: uuid.UUID, *, batch_id: uuid.UUID | None = None, step: str | None = None
    ) -> None: ...

    def resume(self) -> int: ...

    def queue_sizes(self) -> dict[str, int] | None: ...

    def shutdown(self) -> None: ...


def step_for(status: CallStatus) -> str | None:
    """The step a call in this status waits for (None: nothing to run)."""
    if status in (CallStatus.queued, CallStatus.transcribing):
        return STEP_TRANSCRIBE
    if status in (CallStatus.transcribed, CallStatus.scoring):
        return STEP_SCORE
    return None
