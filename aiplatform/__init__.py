"""aiplatform: Pulumi components for a production AI platform, with offline plans and guardrails."""

from typing import Any

from ._version import __version__

__all__ = ["PlatformRef", "__version__"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `aiplatform.guardrails` (the policy pack) does not load the platform code.
    if name == "PlatformRef":
        from .platform_ref import PlatformRef

        return PlatformRef
    raise AttributeError(f"module 'aiplatform' has no attribute {name!r}")
