"""The platform program: one AiPlatform per stack, built from `aiplatform:platform`.

Run with `pulumi up -s <stack>` (real cloud) or `aiplatform plan --stack <stack>`
(offline). A config problem fails with every problem listed and no traceback.
"""

import pulumi

from aiplatform.config import from_pulumi_config
from aiplatform.platform import AiPlatform

config = from_pulumi_config()
platform = AiPlatform(config.name, config)

for key, value in platform.outputs.items():
    pulumi.export(key, value)
