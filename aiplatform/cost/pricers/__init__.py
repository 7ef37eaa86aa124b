"""The pricers, one module per cloud (node pools and Kubernetes objects apart).

Importing this package registers every pricer; `PRICERS` and `USAGE_FIELDS`
(the usage-file fields each type's pricer reads) are re-exported from
`..pricing`, where the `pricer` decorator fills them.
"""

from ..pricing import PRICERS, USAGE_FIELDS
from . import aws, gcp, kubernetes, pools, traffic

__all__ = ["PRICERS", "USAGE_FIELDS", "aws", "gcp", "kubernetes", "pools", "traffic"]
