"""Annotated dependencies shared by the routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from domains.kit.services import Services
from domains.kit.unit_of_work import unit_of_work


def get_services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def get_session(svc: Annotated[Services, Depends(get_services)]) -> Iterator[Session]:
    """The request's one unit of work: committed once when the route returns, rolled back
    when it raises. Jobs it enqueued are sent after that commit."""
    with unit_of_work(svc.session_factory) as session:
        yield session


ServicesDep = Annotated[Services, Depends(get_services)]
# scope="function": the commit runs before the response is sent, so a commit that fails is the
# request's error (500), never a 200 for work that was not saved.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
