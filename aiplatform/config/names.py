"""Cross-section checks of what becomes a cloud or Kubernetes name: principals, groups, and the cloud's own rules.

The lengths of derived names need no check here: the components fit them (`catalog.names`), and the
naming guardrail judges every plan. What cannot be fitted is refused: a principal mapped twice (EKS
takes one access entry per principal), and each cloud's reserved words (`CloudRules.name_problems`).
"""

from __future__ import annotations

import difflib
from typing import Any

from ..catalog.names import regions, regions_as_of
from ._common import Found


def principal_problems(config: Any) -> Found:
    """Each IAM principal in at most one access entry: the admins' and every team's member roles together."""
    found: Found = []
    first: dict[str, str] = {}
    owners = [("cluster.admin_role_arns", list(config.cluster.admin_role_arns))]
    owners += [(f"teams[{i}].member_role_arns", list(team.member_role_arns)) for i, team in enumerate(config.teams)]
    for where, arns in owners:
        for j, arn in enumerate(arns):
            path = f"{where}[{j}]"
            if arn in first:
                found.append((path, f"{arn!r} is also {first[arn]}: EKS maps a principal with one access entry"))
            else:
                first[arn] = path
    return found


def region_problem(cloud: str, article: str, region: str) -> str | None:
    """Why `region` is not one of the cloud's regions in the catalog (None when it is)."""
    known = regions(cloud)
    if not known or region in known:
        return None
    close = difflib.get_close_matches(region, sorted(known), n=3)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return (f"{region!r} is not {article} region (the catalog's list of {len(known)}, as of {regions_as_of()}, in "
            f"aiplatform/catalog/data/regions.yaml{hint})")
