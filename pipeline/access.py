"""Who may do what: roles from sign-in claims, and the domain actions that check them whatever the UI shows."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from pydantic import BaseModel

from pipeline.config import AuthSettings
from pipeline.errors import FactCheckError
from pipeline.factcheck_import import ImportReport, Progress
from pipeline.factcheck_library import FactCheckLibrary
from pipeline.ports import EvidenceStore
from pipeline.report_formats import export
from pipeline.review_types import Report, ReportScope


class Role(str, Enum):
    """Desk roles, each allowed what the one before it may do, and more."""

    REVIEWER = "reviewer"
    EDITOR = "editor"
    ADMIN = "admin"


class Action(str, Enum):
    """What a role may be allowed to do."""

    DECIDE = "decide on claims and comment"
    PUBLISH = "publish reports"
    MANAGE_LIBRARY = "add or remove reference articles"
    SETTINGS = "change settings"


ALLOWED: dict[Role, set[Action]] = {
    Role.REVIEWER: {Action.DECIDE},
    Role.EDITOR: {Action.DECIDE, Action.PUBLISH, Action.MANAGE_LIBRARY},
    Role.ADMIN: set(Action),
}


class Actor(BaseModel):
    """The person acting: their identity (recorded as the author of decisions) and role."""

    name: str
    role: Role
    signed_in: bool = False

    def can(self, action: Action) -> bool:
        """Whether this person's role allows the action."""
        return action in ALLOWED[self.role]


class AccessDenied(FactCheckError):
    """The signed-in person's role does not allow this action."""


def require(actor: Actor | None, action: Action) -> Actor:
    """The actor, if allowed to act; otherwise AccessDenied in one sentence."""
    if actor is None:
        raise AccessDenied(f"Only signed-in people may {action.value}", "Sign in first")
    if not actor.can(action):
        raise AccessDenied(f"{actor.name} is a {actor.role.value} and may not {action.value}",
                           "Ask an editor or an admin")
    return actor


def identity(claims: Mapping[str, object], auth: AuthSettings) -> str:
    """The name recorded for a signed-in person: their user claim (email by default), else name, else sub."""
    for claim in (auth.user_claim, "email", "name", "sub"):
        if value := str(claims.get(claim) or "").strip():
            return value
    return ""


def role_for(claims: Mapping[str, object], auth: AuthSettings) -> Role | None:
    """The highest role that lists the person (by user claim) or one of their groups ("group:NAME")."""
    groups = claims.get(auth.group_claim) or []
    groups = [groups] if isinstance(groups, str) else list(groups) if isinstance(groups, list | tuple) else []
    names = {identity(claims, auth)} | {f"group:{g}" for g in groups}
    for role, listed in ((Role.ADMIN, auth.admins), (Role.EDITOR, auth.editors), (Role.REVIEWER, auth.reviewers)):
        if names & set(listed):
            return role
    return Role(auth.default_role) if auth.default_role else None


def remove_article(store: EvidenceStore, article_id: str, actor: Actor | None) -> int:
    """Remove a reference article from every index, if the actor may manage the library."""
    require(actor, Action.MANAGE_LIBRARY)
    return store.delete_article(article_id)


def publish(report: Report, fmt: str, actor: Actor | None, scope: ReportScope | None = None) -> str:
    """A report in one of the export formats (in a scope, the format's default when None), if the actor may
    publish."""
    require(actor, Action.PUBLISH)
    return export(report, fmt, scope)


def import_factchecks(library: FactCheckLibrary, sources: list[str], actor: Actor | None,
                      progress: Progress | None = None) -> ImportReport:
    """Import published fact-checks, if the actor may manage the library."""
    require(actor, Action.MANAGE_LIBRARY)
    return library.import_sources(sources, progress)


def remove_factchecks(library: FactCheckLibrary, ids: list[str], actor: Actor | None) -> int:
    """Remove published fact-checks from both indexes, if the actor may manage the library."""
    require(actor, Action.MANAGE_LIBRARY)
    return library.remove(ids)
