"""Who is using the app: a signed-in person (OpenID Connect via st.login) with a role, or the local single user.

Local mode remembers the name typed in the sidebar in a small file under data_dir, so it survives reloads and new
tabs; with sign-in the same `current_actor()` takes the name from the ID token instead, and nothing else changes.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

import streamlit as st

from pipeline.access import Action, Actor, Role, identity, role_for
from pipeline.config import AuthSettings, Settings
from pipeline.runs import write_atomic

REVIEWER_KEY = "reviewer_name"
LOCAL_USER_FILE = "local_user.json"


def claims() -> dict[str, Any]:
    """The signed-in person's ID-token claims, or {} (also when sign-in is not configured)."""
    try:
        user = st.user
        return dict(user) if user.get("is_logged_in") else {}
    except Exception:  # st.user raises when auth is not configured in some versions
        return {}


def logged_in_user(settings: Settings) -> str:
    """The signed-in person's identity (email by default), else ""."""
    found = claims()
    return identity(found, settings.auth) if found else ""


def _name_file(settings: Settings) -> Path:
    return settings.data_dir / LOCAL_USER_FILE


def remembered_name(settings: Settings) -> str:
    """The local user's name: this session's, else the one remembered under data_dir (put into the session)."""
    if REVIEWER_KEY not in st.session_state:
        try:
            st.session_state[REVIEWER_KEY] = str(json.loads(_name_file(settings).read_text(encoding="utf-8"))["name"])
        except (OSError, ValueError, KeyError, TypeError):
            st.session_state[REVIEWER_KEY] = ""
    return str(st.session_state[REVIEWER_KEY]).strip()


def remember_name(settings: Settings) -> None:
    """Widget callback: keep the typed name for later sessions (owner-only file, replaced atomically)."""
    # write_atomic's temporary file is private (0600) and unique, so two tabs saving at once cannot collide
    write_atomic(_name_file(settings), json.dumps({"name": str(st.session_state.get(REVIEWER_KEY, "")).strip()}))


def current_actor(settings: Settings) -> Actor | None:
    """Who is acting now: the signed-in person with their role, the local user (all rights), or None."""
    auth, found = settings.auth, claims()
    if found:
        role = role_for(found, auth) if auth.sign_in else Role.ADMIN
        return Actor(name=identity(found, auth), role=role, signed_in=True) if role else None
    if auth.sign_in:
        return None
    return Actor(name=remembered_name(settings), role=Role.ADMIN)


def allowed(settings: Settings, action: Action) -> bool:
    """Whether the current person may do this (controls they may not use are not shown)."""
    actor = current_actor(settings)
    return actor is not None and actor.can(action)


def reviewer(settings: Settings) -> str:
    """Who is making decisions: the signed-in identity, or the local user's name ("" when unknown)."""
    actor = current_actor(settings)
    return actor.name if actor else ""


def bound_address() -> str | None:
    """The address the server listens on (None or "" means every interface)."""
    return st.get_option("server.address")


def address_refusal(address: str | None, settings: AuthSettings) -> str:
    """Why local mode must not serve on this address ("" when it may): it has no sign-in."""
    if settings.sign_in or settings.allow_remote_local_mode:
        return ""
    try:
        loopback = address == "localhost" or ipaddress.ip_address(address or "0.0.0.0").is_loopback
    except ValueError:
        loopback = False
    if loopback:
        return ""
    return (f"Local mode has no sign-in, so it serves only this machine, not {address or 'every interface'}: "
            "start with --server.address 127.0.0.1, or configure sign-in (auth.sign_in), or set "
            "auth.allow_remote_local_mode = true.")


def gate(app_settings: Settings) -> None:
    """Stop the page unless this person may use the app: sign-in required, a role, a safe address."""
    settings = app_settings.auth
    if refusal := address_refusal(bound_address(), settings):
        st.error(refusal)
        st.stop()
    if not settings.sign_in or (claims() and current_actor(app_settings)):
        return
    st.title("Fact-check assistant")
    if claims():
        st.error(f"{logged_in_user(app_settings)} has no role on this desk. Ask an admin to add you to auth.reviewers, "
                 "auth.editors or auth.admins.")
        st.button("Sign out", on_click=st.logout)
    else:
        st.write("Sign in to review claims and publish fact-checks.")
        st.button("Sign in", type="primary", on_click=st.login, args=(settings.provider or None,))
    st.stop()
