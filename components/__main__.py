"""The aiplatform component package: TeamNamespace, InferenceService and GatewayRoute for any Pulumi language.

    pulumi package add <path or git URL of this repository>/components

generates an SDK (TypeScript, Go, C#, Java, YAML) whose resources are
`aiplatform:index:<Name>`; the components run in this Python provider. The
schema is inferred from the components' type annotations; `schema.json` beside
this file is the checked-in copy (`python tools/component_schema.py --root .`).
"""

from pulumi.provider.experimental import component_provider_host

from aiplatform.components.package import HOSTED, PACKAGE, VERSION

if __name__ == "__main__":
    component_provider_host(components=HOSTED, name=PACKAGE, version=VERSION)
