"""Compliance-framework tags of the rules, defined once (a rule's `frameworks=`).

Each is a tuple of `<framework>:<control>` tags, so a rule can name several.
They appear in the rule's tags in the policy pack, the reports and docs/guardrails.md.
"""

from __future__ import annotations

#: Boundary protection: nothing reachable from the internet that should not be.
BOUNDARY = ("nist-800-53:SC-7",)
#: Protection of information at rest: encrypted with keys you control.
AT_REST = ("nist-800-53:SC-28",)
#: Least privilege: no grant broader than the work needs.
LEAST_PRIVILEGE = ("nist-800-53:AC-6",)
#: Audit record generation.
AUDIT_RECORDS = ("nist-800-53:AU-12",)
#: Vulnerability monitoring and scanning.
VULNERABILITY_SCANNING = ("nist-800-53:RA-5",)
#: CIS Google Cloud Platform Foundations 1.10: KMS keys rotate within 90 days.
CIS_GCP_KMS_ROTATION = ("cis-gcp:1.10",)
#: CIS Kubernetes Benchmark 5.1.3: minimise wildcard use in Roles and ClusterRoles.
CIS_KUBERNETES_RBAC_WILDCARDS = ("cis-kubernetes:5.1.3",)
#: Kubernetes Pod Security Standards, baseline profile.
POD_SECURITY_BASELINE = ("pod-security-standards:baseline",)
