"""Annotated dependencies shared by the routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from domains.kit.jobs import Dispatcher
from domains.kit.services import Services


def get_services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def get_runner(request: Request) -> Dispatcher:
    runner: Dispatcher = request.app.state.runner
    return runner


def get_session(svc: Annotated[Services, Depends(get_services)]) -> Iterator[Session]:
    with svc.session_factory() as session:
        yield session


ServicesDep = Annotated[Services, Depends(get_services)]
RunnerDep = Annotated[Dispatcher, Depends(get_runner)]
SessionDep = Annotated[Session, Depends(get_session)]
