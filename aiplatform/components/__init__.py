"""Pulumi component resources. Import the cloud subpackage you use
(`aiplatform.components.aws`, `aiplatform.components.kubernetes`); this package
itself imports no provider SDK."""
