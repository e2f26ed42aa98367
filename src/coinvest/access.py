"""Members of a shared instance (docs/rules.md "Sign-in and scope"): who may sign in, for which organisation, as what.

The `membership` table is coinvest's own (never the identity provider's claims, which are frozen
in the login cookie): it is read on every run of the app, so a member removed here loses access
at their next page load. Roles:

- `admin`: every project, imports and members;
- `investor` member of X: the projects X funded;
- `support_body` member of Y: the projects of Y's cohorts;
- `project` member of holder H: H's projects, and their self-assessment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from coinvest import reference as ref
from coinvest.audit import cli_author
from coinvest.cells import normalise_email
from coinvest.db import Connection, query
from coinvest.errors import CoinvestError
from coinvest.scope import Scope
from coinvest.writing import writing

ADMIN = "admin"


@dataclass(frozen=True)
class Member:
    """A person allowed in, as their membership row says."""

    email: str
    org_id: str
    org_name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def scope(self) -> Scope | None:
        """The projects this member sees; None for an admin (every project)."""
        return None if self.is_admin else Scope(self.role, self.org_id)

    @property
    def viewpoint(self) -> str | None:
        """The viewpoint their questionnaire answers are recorded with (an admin chooses)."""
        return ref.ROLE_VIEWPOINT.get(self.role)

    @property
    def owner(self) -> str | None:
        """Whose scenarios and saved views this member sees: their organisation's, or every
        one for an admin (None)."""
        return None if self.is_admin else self.org_id


def _email(value: object) -> str:
    email = normalise_email(value)
    if email is None:
        raise CoinvestError("members.bad_email", value=value)
    return email


def _membership(
    con: Connection, address: str
) -> tuple[Member, tuple[object, object], str | None] | None:
    """The membership of a normalised address, the (issuer, subject) recorded with it, and the
    person's name (None when nobody gave it)."""
    frame = query(
        con,
        """SELECT m.email, m.org_id, coalesce(o.name, m.org_id) AS org_name, m.role,
                  m.issuer, m.subject, m.name
           FROM membership m LEFT JOIN organisation o ON o.org_id = m.org_id
           WHERE m.email = $email""",
        {"email": address},
    )
    if frame.empty:
        return None
    row = frame.iloc[0]
    member = Member(str(row["email"]), str(row["org_id"]), str(row["org_name"]), str(row["role"]))
    name = row["name"]
    return member, (row["issuer"], row["subject"]), None if pd.isna(name) else str(name)


def find_member(con: Connection, email: object) -> Member | None:
    """The membership of an e-mail address (ASCII case and spaces ignored), or None."""
    address = normalise_email(email)
    found = None if address is None else _membership(con, address)
    return None if found is None else found[0]


# Why a sign-in does not let a person in (None: it does); each has its page text.
UNVERIFIED = "unverified"  # the provider did not say the e-mail is verified (JSON true)
NO_IDENTITY = "no_identity"  # no issuer or subject in the sign-in
OTHER_PROVIDER = "other_provider"  # an issuer that is not the configured provider's
OTHER_IDENTITY = "other_identity"  # the membership is bound to another issuer and subject
NO_MEMBERSHIP = "no_membership"


def admit(
    con: Connection,
    claims: Mapping[str, object],
    issuers: frozenset[str] | None = None,
    who: str | None = None,
) -> tuple[Member | None, str | None]:
    """The member a sign-in stands for, or None and why not (docs/rules.md "Sign-in and scope").

    `claims` are the provider's (`st.user`). The sign-in counts only when `email_verified` is
    exactly JSON `true` and the issuer is one of `issuers` (the configured providers'; None when
    they could not be read, Authlib having checked it at sign-in). The issuer and subject are
    recorded with the membership at the first sign-in, and every later sign-in must match them:
    another account that claims the same address never gets its access. The provider's `name`
    claim is recorded too while the membership has no name (one an admin gave is kept).
    """
    if claims.get("email_verified") is not True:
        return None, UNVERIFIED
    issuer, subject = claims.get("iss"), claims.get("sub")
    if not isinstance(issuer, str) or not issuer or not isinstance(subject, str) or not subject:
        return None, NO_IDENTITY
    if issuers is not None and issuer not in issuers:
        return None, OTHER_PROVIDER
    address = normalise_email(claims.get("email"))
    found = None if address is None else _membership(con, address)
    if found is None:
        return None, NO_MEMBERSHIP
    member, recorded, known_name = found
    first = not isinstance(recorded[0], str)  # the first sign-in: its identity is recorded
    if not first and recorded != (issuer, subject):
        return None, OTHER_IDENTITY
    name = person_name(claims.get("name"))
    if first or (known_name is None and name is not None):
        try:
            with writing(con, who or member.email, "sign-in") as audit:
                audit.watch("membership", "email = $audit_email", audit_email=member.email)
                audit.cur.execute(
                    # the identity only if none is recorded, the name only if none is known
                    """UPDATE membership
                       SET issuer = coalesce(issuer, $issuer),
                           subject = CASE WHEN issuer IS NULL THEN $subject ELSE subject END,
                           name = coalesce(name, $name)
                       WHERE email = $email
                         AND ((issuer IS NULL AND subject IS NULL)
                              OR (issuer = $issuer AND subject = $subject))""",
                    {"issuer": issuer, "subject": subject, "name": name, "email": member.email},
                )
        except CoinvestError:
            # a read-only instance cannot record it: the first sign-in on a writable one will
            return member, None
        if first:
            again = _membership(con, member.email)  # another sign-in may have recorded its own
            recorded = (issuer, subject) if again is None else again[1]
    if recorded != (issuer, subject):
        return None, OTHER_IDENTITY
    return member, None


NAME_LENGTH = 200  # a person's name longer than this is cut (it is only shown in lists)


def person_name(value: object) -> str | None:
    """A person's name as stored with their membership: text with its spaces trimmed and
    runs of white space made one, at most NAME_LENGTH characters; None for no name."""
    if not isinstance(value, str):
        return None
    name = " ".join(value.split())[:NAME_LENGTH].strip()
    return name or None


def add_member(
    con: Connection,
    email: object,
    org_id: str,
    role: str,
    who: str | None = None,
    name: object = None,
) -> tuple[Member, bool]:
    """Give an e-mail address a role for an organisation, and the person's name if given (an
    earlier name is kept when none is); returns the member and whether an earlier membership of
    that address was replaced.

    Raises CoinvestError (nothing written) for an address that is not one, an unknown role or
    an organisation that is not in the database.
    """
    address = _email(email)
    if role not in ref.ROLE_CODES:
        raise CoinvestError("members.bad_role", value=role, roles=", ".join(ref.ROLE_CODES))
    org_id = str(org_id or "").strip()
    with writing(con, who or cli_author(), "members") as audit:
        cur = audit.cur
        found = cur.execute(
            "SELECT name FROM organisation WHERE org_id = $org", {"org": org_id}
        ).fetchall()
        if not found:
            raise CoinvestError("members.unknown_org", value=org_id)
        replaced = bool(
            cur.execute(
                "SELECT 1 FROM membership WHERE email = $email", {"email": address}
            ).fetchall()
        )
        audit.watch("membership", "email = $audit_email", audit_email=address)
        cur.execute(
            "UPDATE membership SET org_id = $org, role = $role, added_at = current_timestamp, "
            "name = coalesce($name, name) WHERE email = $email"
            if replaced
            else "INSERT INTO membership (email, org_id, role, name) "
            "VALUES ($email, $org, $role, $name)",
            {"email": address, "org": org_id, "role": role, "name": person_name(name)},
        )
        audit.finish()
    return Member(address, org_id, str(found[0][0]), role), replaced


def remove_member(con: Connection, email: object, who: str | None = None) -> bool:
    """Take an address's membership away; False when it had none."""
    address = normalise_email(email)
    if address is None:
        return False
    with writing(con, who or cli_author(), "members") as audit:
        cur = audit.cur
        found = cur.execute(
            "SELECT 1 FROM membership WHERE email = $email", {"email": address}
        ).fetchall()
        if found:
            audit.watch("membership", "email = $audit_email", audit_email=address)
            cur.execute("DELETE FROM membership WHERE email = $email", {"email": address})
            audit.finish()
    return bool(found)


def list_members(con: Connection) -> pd.DataFrame:
    """Every membership. Columns: email, name, org_id, org_name, role, added_at."""
    return query(
        con,
        """SELECT m.email, m.name, m.org_id, o.name AS org_name, m.role, m.added_at
           FROM membership m LEFT JOIN organisation o ON o.org_id = m.org_id
           ORDER BY m.org_id, m.email""",
    )


def admins(con: Connection) -> pd.DataFrame:
    """The admins, whom a person without membership is told to ask. Columns: email, org_name."""
    return query(
        con,
        """SELECT m.email, coalesce(o.name, m.org_id) AS org_name
           FROM membership m LEFT JOIN organisation o ON o.org_id = m.org_id
           WHERE m.role = $admin ORDER BY m.email""",
        {"admin": ADMIN},
    )
