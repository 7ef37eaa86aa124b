"""`aiplatform check`: the guardrails evaluated on a plan through `pulumi_policy`'s own analyzer.

- `analyzer`: the codec — plan to Analyzer requests and back, the policy config resolved as the
  Pulumi CLI resolves it (`run_analyzer` drives any servicer or gRPC stub).
- `runner`: `check_plan` (the pack in-process, verdicts equal to a real preview) and
  `with_stack_budget` (a stack's `budget` into aip-cost-monthly-budget).
- `findings`: `Finding`, `CheckReport`.
- `reports`: text, JSON, SARIF 2.1.0, JUnit XML and Markdown.

Nothing is imported here, so `aiplatform --help` stays fast: import the submodule you use.
"""
