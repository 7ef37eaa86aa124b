"""Observability: the metrics stack, GPU metrics, scrape objects, alert rules and dashboards."""

from .dcgm_exporter import DcgmExporter, DcgmExporterArgs
from .metrics_stack import AlertReceiverArgs, MetricsStack, MetricsStackArgs

__all__ = ["AlertReceiverArgs", "DcgmExporter", "DcgmExporterArgs", "MetricsStack", "MetricsStackArgs"]
