"""The platform package's layout: a builder per cloud from a registry, no import cycle, a cloud-free
Kubernetes side, one spelling of component argument errors, and the hosted TeamNamespace's identities."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest
from conftest import ROOT

PACKAGE = ROOT / "aiplatform"


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return done.stdout


def _imports(path) -> set[str]:
    """Modules `path` imports, absolute, relative ones resolved against its package."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


def test_the_kubernetes_components_import_no_cloud_component_nor_cloud_sdk():
    for path in sorted((PACKAGE / "components" / "kubernetes").glob("*.py")):
        bad = {m for m in _imports(path) if m.startswith(("aiplatform.components.aws", "aiplatform.components.gcp",
                                                           "pulumi_aws", "pulumi_gcp"))}
        assert bad == set(), path.name
    loaded = json.loads(_python(
        "import json, sys, aiplatform.components.kubernetes; print(json.dumps(sorted(sys.modules)))"))
    assert not [m for m in loaded if m.startswith(("aiplatform.components.aws", "aiplatform.components.gcp",
                                                   "pulumi_aws", "pulumi_gcp"))]


@pytest.mark.parametrize("first", ["aiplatform.platform.gcp", "aiplatform.platform.aws", "aiplatform.platform.contract",
                                   "aiplatform.platform.builder", "aiplatform.platform"])
def test_each_platform_module_imports_first_without_a_cycle(first):
    _python(f"import {first}")


def test_the_builders_never_import_the_facade_and_the_reader_never_imports_the_platform():
    for name in ("aws.py", "gcp.py", "builder.py", "shared.py", "contract.py"):
        imported = _imports(PACKAGE / "platform" / name)
        assert "aiplatform.platform.AiPlatform" not in imported, name
        assert not {m for m in imported if m in ("aiplatform.platform", "aiplatform.platform.__init__")}, name
    reader = _imports(PACKAGE / "platform_ref.py")
    assert not {m for m in reader if m.startswith("aiplatform.platform.") or m == "aiplatform.platform"}
    loaded = json.loads(_python("import json, sys, aiplatform.platform_ref; print(json.dumps(sorted(sys.modules)))"))
    assert not [m for m in loaded if m.startswith(("aiplatform.platform.", "aiplatform.components", "pulumi_aws",
                                                   "pulumi_gcp", "pulumi_kubernetes"))]


_PLAN_AND_LIST_SDKS = """
import json, sys, yaml
from aiplatform.config import load_platform_config
from aiplatform.platform import AiPlatform
from aiplatform.testing import plan_program
raw = yaml.safe_load(open("stacks/Pulumi.{stack}.yaml"))["config"]["aiplatform:platform"]
config = load_platform_config(raw)
plan = plan_program(lambda: AiPlatform(config.name, config))
print(json.dumps([len(plan.resources), sorted(m for m in ("pulumi_aws", "pulumi_gcp") if m in sys.modules)]))
"""


@pytest.mark.parametrize(("stack", "sdk"), [("gcp-dev", "pulumi_gcp"), ("aws-dev", "pulumi_aws")])
def test_a_platform_plan_loads_only_its_own_clouds_sdk(stack, sdk):
    count, sdks = json.loads(_python(_PLAN_AND_LIST_SDKS.format(stack=stack)))
    assert count > 50 and sdks == [sdk]
