"""Names and formats the platform writes on Kubernetes objects, in one place for their writers and readers.

Components write these labels and annotations; the guardrails read them (and
import no provider SDK), and the config validates the same formats. Nothing
here imports anything.
"""

from __future__ import annotations

import re

#: Prefix of every node and object label the platform writes.
LABEL_PREFIX = "aiplatform.io/"
#: The team a namespace belongs to (TeamNamespace).
TEAM_LABEL = f"{LABEL_PREFIX}team"
#: The accelerator model a GPU node carries (EksGpuNodePool), which InferenceService selects on.
ACCELERATOR_LABEL = f"{LABEL_PREFIX}accelerator"
#: A team's monthly GPU budget and allowed accelerator models, read by rule aip-cost-team-budget.
BUDGET_ANNOTATION = f"{LABEL_PREFIX}monthly-budget-usd"
ACCELERATORS_ANNOTATION = f"{LABEL_PREFIX}accelerators"
#: On a model server's Deployment: the size of its weights (GiB) and the longest its callers wait (seconds), read
#: by the cold-start guardrail; the budget the component computed from them (shown by `aiplatform plan`).
MODEL_SIZE_ANNOTATION = f"{LABEL_PREFIX}model-size-gib"
CLIENT_TIMEOUT_ANNOTATION = f"{LABEL_PREFIX}client-timeout-seconds"
COLD_START_ANNOTATION = f"{LABEL_PREFIX}cold-start-seconds"
#: The Kueue LocalQueue a Job or CronJob is submitted to (Kueue's own label), and the name of each team's
#: LocalQueue (`default`: Kueue also assigns it to a team's jobs that carry no queue label).
QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
TEAM_QUEUE = "default"
#: The Kueue WorkloadPriorityClass of a queued Job (`serving`, `interactive`, `batch`: `components.kubernetes.kueue`).
PRIORITY_LABEL = "kueue.x-k8s.io/priority-class"

#: A Kubernetes resource quantity such as `500m`, `32` or `128Gi`.
QUANTITY_PATTERN = r"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$"
_QUANTITY = re.compile(QUANTITY_PATTERN)


def is_quantity(value: object) -> bool:
    return bool(_QUANTITY.match(str(value)))

#: The platform stack's output that team stacks read (`aiplatform.platform.contract` writes it,
#: `aiplatform.platform_ref` reads it), and the major version of its shape.
OUTPUT_NAME = "aiplatform"
CONTRACT_VERSION = 1


#: What a `secure:` config value becomes offline (it cannot be decrypted there); marked secret.
SECRET_PLACEHOLDER = "offline-secret-placeholder"
