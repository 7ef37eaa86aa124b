"""The rule modules: one area per module, both clouds together.

Every module of this package not starting with `_` is a rule module, discovered and imported on first
use by `aiplatform.guardrails.rules()`; adding a rule is adding it to the module
of its area (or a new area module) and a test. A module holds the rules of one
area: the module's name, or the `AREA` it declares (e.g. `encryption` holds
`security` rules). No module is named after a cloud: a check for GCP sits next to
its AWS twin.

This package imports nothing at import time, so that `aiplatform.guardrails` can
import it before it defines its `rules()` function (which is what the name
`aiplatform.guardrails.rules` stays bound to).
"""
