"""The engine's shape, standard library only: what the Pulumi engine hands a policy analyzer.

- `props`: unknown and secret sentinels, the one `is_unknown`/`is_secret`, readers of
  engine-shaped property values (`get`, `as_list`, `tags_of`, ...).
- `paths`: the property-path grammar `a.b[0].c`.
- `resource`: `Resource`, one resource as the rules and the estimator see it.
- `links`: finding the resources that configure another one.
- `types`: the resource type tokens that more than one module reads.
- `plan`: the plan contract (`aiplatform plan --format json`).

The plan engine (`offline`), the estimator (`cost`) and the rules (`guardrails`)
all read it; it imports nothing of theirs and no provider SDK. Pool readers need the
catalog (what an instance type carries), so they sit one layer up, in `aiplatform.cost.pools`.
"""
