"""The aiplatform policy pack: every rule of `aiplatform.guardrails`, one `PolicyPack`.

`PolicyPack` starts the analyzer's gRPC server and blocks, so the rules live in
the importable `aiplatform.guardrails` package and only this file constructs
the pack. Per-stack config: `pulumi preview --policy-pack policies
--policy-pack-config <file>.json` (the same file `aiplatform check
--policy-config` takes).
"""

from aiplatform.guardrails import serve_pack

serve_pack()
