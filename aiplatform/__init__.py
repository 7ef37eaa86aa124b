"""aiplatform: Pulumi components for a production AI platform, with offline plans and guardrails."""

__version__ = "0.1.0"
