"""Organizations and HR users: creating them and signing in with e-mail and password."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from interview.accounts.credentials import hash_password, verify_password
from interview.accounts.passwords import check_password
from interview.errors import Conflict, InvalidInput, Unauthorized
from interview.storage.tables import (
    Organization,
    User,
)
from interview.text.clean import email_problem


def create_organization(s: Session, name: str, now: datetime) -> Organization:
    org = Organization(name=name, created_at=now)
    s.add(org)
    s.flush()
    return org


def create_user(
    s: Session, org_id: str, email: str, name: str, role: str, password: str, now: datetime
) -> User:
    if role not in ("admin", "recruiter", "reviewer", "hiring_manager"):
        raise InvalidInput(
            f"user role {role!r} is unknown; use admin, recruiter, reviewer or hiring_manager"
        )
    if problem := email_problem(email):  # whatever the route: API, CLI, demo
        raise InvalidInput(f"the user's e-mail: {problem}")
    if s.scalar(select(User).where(User.email == email.lower())):
        raise Conflict(f"a user with e-mail {email!r} already exists")
    check_password(password, email, name)
    user = User(
        organization_id=org_id,
        email=email.lower(),
        name=name,
        role=role,
        password_hash=hash_password(password),
        created_at=now,
    )
    s.add(user)
    s.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Store a new password for `user` once it passes the policy (InvalidInput says why not).
    Ending the user's other sessions is the caller's part (routes/auth.py end_sessions)."""
    check_password(password, user.email, user.name)
    user.password_hash = hash_password(password)


def authenticate(s: Session, email: str, password: str) -> User:
    user = s.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not verify_password(user.password_hash, password):
        raise Unauthorized("e-mail or password is wrong")
    return user
