"""What a signed-in member may see (docs/rules.md "Sign-in and scope"): the projects their organisation is tied to.

A `Scope` travels inside the portfolio filter (`PortfolioFilter.scope`) into every metric query,
export and lookup, where it is ANDed into the SQL of the filtered projects. It is never read
from the URL (it is not a filter field) and the filter's own fields can only narrow it. An admin,
and everyone in local mode, has no scope: they see every project.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The projects each scoped role sees, as a condition on `project p` with `$scope_org`. Fixed
# templates: the organisation id only ever travels as a bound parameter.
_CONDITIONS = {
    # the projects the investor funded, at any date
    "investor": "p.project_id IN (SELECT scope_i.project_id FROM investment scope_i "
    "WHERE scope_i.investor_org_id = $scope_org)",
    # the projects of the support body's cohorts
    "support_body": "p.project_id IN (SELECT scope_m.project_id FROM cohort_member scope_m "
    "JOIN cohort scope_c ON scope_c.cohort_id = scope_m.cohort_id "
    "WHERE scope_c.support_body_org_id = $scope_org)",
    # the holder's own projects
    "project": "p.holder_org_id = $scope_org",
}
SCOPED_ROLES = tuple(_CONDITIONS)


@dataclass(frozen=True)
class Scope:
    """The projects of one organisation, in one role (investor, support body or holder)."""

    role: str
    org_id: str

    def __post_init__(self) -> None:
        if self.role not in _CONDITIONS:
            raise ValueError(f"no scope for the role {self.role!r}")
        if not self.org_id:
            raise ValueError("a scope needs an organisation")

    def condition(self) -> tuple[str, dict[str, Any]]:
        """The condition on `project p` keeping this scope's projects, and its parameter."""
        return _CONDITIONS[self.role], {"scope_org": self.org_id}
