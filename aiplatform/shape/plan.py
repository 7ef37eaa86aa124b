"""The plan: what a program registers, in the engine's own shape.

This is the JSON contract of `aiplatform plan --format json` (docs/plan-json.md),
which `aiplatform check`, `aiplatform cost` and users build on. Inputs are
exactly what the engine receives: camelCase names, numbers as floats, secrets
wrapped as `{SECRET_SIG_KEY: SECRET_SIG, "value": ...}` and values unknown during
preview as the `UNKNOWN` string (`aiplatform.shape.props`). The engine (`offline`) writes
it; `check`, `cost` and users read it.

Version 2: `aiplatform plan --format json` redacts secrets by default — a secret keeps its
wrapper, its value becomes `UNKNOWN` — and says so in `"secrets": "redacted"` (`"shown"`
with `--show-secrets`). Readers accept versions 1 and 2.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from .paths import walk
from .props import redact, reveal, secret_strings

SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)


def get_path(value: Any, path: str, default: Any = None) -> Any:
    """Look up `a.b[0].c` in engine-shaped props; secrets are looked through."""
    return walk(reveal(value), path, default)


@dataclass
class SourcePosition:
    uri: str
    line: int
    column: int = 0


@dataclass
class PlannedResource:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None
    protect: bool
    dependencies: list[str]
    inputs: dict[str, Any]
    source: SourcePosition | None = None
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    ignore_changes: list[str] = field(default_factory=list)
    aliases: list[Any] = field(default_factory=list)
    delete_before_replace: bool = False
    retain_on_delete: bool = False
    outputs: dict[str, Any] | None = None

    def get(self, path: str, default: Any = None) -> Any:
        """An input by path, e.g. `metadataOptions.httpTokens`; secrets revealed."""
        return get_path(self.inputs, path, default)

    @property
    def is_provider(self) -> bool:
        return self.type.startswith("pulumi:providers:")


@dataclass
class Diagnostic:
    severity: str
    message: str
    urn: str | None = None


@dataclass
class Plan:
    project: str
    stack: str
    mode: str
    resources: list[PlannedResource]
    outputs: dict[str, Any]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: True when secrets' values were replaced by `UNKNOWN` (`redacted()`).
    redacted_secrets: bool = False

    def redacted(self) -> Plan:
        """A copy with every secret's value (inputs, outputs, stack outputs) replaced by `UNKNOWN`."""
        from dataclasses import replace

        resources = [replace(r, inputs=redact(r.inputs), outputs=redact(r.outputs)) for r in self.resources]
        return replace(self, resources=resources, outputs=redact(self.outputs), redacted_secrets=True)

    def secret_values(self) -> set[str]:
        """Every string inside a secret anywhere in the plan (for scrubbing rendered output)."""
        found = secret_strings(self.outputs)
        for r in self.resources:
            found |= secret_strings(r.inputs) | secret_strings(r.outputs)
        return found

    def scrub(self, text: str) -> str:
        """`text` (a rendering of this plan) with every secret value masked as `[secret]`, also JSON-escaped."""
        for value in sorted(self.secret_values(), key=len, reverse=True):
            for form in {value, json.dumps(value)[1:-1]}:
                text = text.replace(form, "[secret]")
        return text

    # ---- lookups ------------------------------------------------------------------

    def by_urn(self) -> dict[str, PlannedResource]:
        return {r.urn: r for r in self.resources}

    def of_type(self, type_: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.type == type_]

    def find(self, type_: str, name: str | None = None) -> PlannedResource:
        """The one resource of `type_` (and `name`); raise if none or several match."""
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        if len(found) != 1:
            names = ", ".join(r.name for r in self.of_type(type_)) or "none"
            raise LookupError(f"{len(found)} resources of type {type_} named {name!r} (have: {names})")
        return found[0]

    def children(self, urn: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.parent == urn]

    def descendants(self, urn: str) -> list[PlannedResource]:
        out: list[PlannedResource] = []
        stack = [urn]
        while stack:
            current = stack.pop()
            for child in self.children(current):
                out.append(child)
                stack.append(child.urn)
        return out

    def ancestors(self, resource: PlannedResource) -> list[PlannedResource]:
        index = self.by_urn()
        out: list[PlannedResource] = []
        parent = resource.parent
        while parent and parent in index:
            out.append(index[parent])
            parent = index[parent].parent
        return out

    def urns(self) -> list[str]:
        return sorted(r.urn for r in self.resources)

    # ---- JSON contract --------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        resources = []
        for r in self.resources:
            row = {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "custom": r.custom,
                "parent": r.parent,
                "provider": r.provider,
                "protect": r.protect,
                "dependencies": r.dependencies,
                "inputs": r.inputs,
                "source": asdict(r.source) if r.source else None,
                "propertyDependencies": r.property_dependencies,
                "ignoreChanges": r.ignore_changes,
                "aliases": r.aliases,
                "deleteBeforeReplace": r.delete_before_replace,
                "retainOnDelete": r.retain_on_delete,
            }
            if r.outputs is not None:
                row["outputs"] = r.outputs
            resources.append(row)
        return {
            "version": SCHEMA_VERSION,
            "project": self.project,
            "stack": self.stack,
            "mode": self.mode,
            "secrets": "redacted" if self.redacted_secrets else "shown",
            "resources": resources,
            "outputs": self.outputs,
            "diagnostics": [asdict(d) for d in self.diagnostics],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, sort_keys=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        if data.get("version", 1) not in READABLE_VERSIONS:
            raise ValueError(f"plan version {data.get('version')!r} (this aiplatform reads {READABLE_VERSIONS})")
        resources = []
        for row in data["resources"]:
            source = row.get("source")
            resources.append(PlannedResource(
                urn=row["urn"],
                type=row["type"],
                name=row["name"],
                custom=row["custom"],
                parent=row.get("parent"),
                provider=row.get("provider"),
                protect=row.get("protect", False),
                dependencies=row.get("dependencies", []),
                inputs=row.get("inputs", {}),
                source=SourcePosition(**source) if source else None,
                property_dependencies=row.get("propertyDependencies", {}),
                ignore_changes=row.get("ignoreChanges", []),
                aliases=row.get("aliases", []),
                delete_before_replace=row.get("deleteBeforeReplace", False),
                retain_on_delete=row.get("retainOnDelete", False),
                outputs=row.get("outputs"),
            ))
        return cls(
            project=data["project"],
            stack=data["stack"],
            mode=data["mode"],
            resources=resources,
            outputs=data.get("outputs", {}),
            diagnostics=[Diagnostic(**d) for d in data.get("diagnostics", [])],
            redacted_secrets=data.get("secrets") == "redacted",
        )

    @classmethod
    def from_json(cls, text: str) -> Plan:
        return cls.from_dict(json.loads(text))
