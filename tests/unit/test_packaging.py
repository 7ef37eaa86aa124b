"""Packaging: each cloud's extra installs everything that cloud's platform and components import, and no
other cloud's SDK; `make plan` installs only the stack's cloud."""

from __future__ import annotations

import re
import tomllib

from conftest import ROOT


def _extras() -> dict[str, set[str]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return {name: {re.split(r"[<>=\[ ]", req, maxsplit=1)[0] for req in reqs}
            for name, reqs in data["project"]["optional-dependencies"].items()}


def test_each_cloud_extra_works_alone():
    extras = _extras()
    # components.aws and components.gcp build Kubernetes objects too (device plugins, autoscaler, namespaces)
    assert "pulumi-kubernetes" in extras["kubernetes"]
    assert extras["aws"] == {"pulumi-aws"} | extras["kubernetes"]
    assert extras["gcp"] == {"pulumi-gcp"} | extras["kubernetes"]
    assert extras["all"] == extras["aws"] | extras["gcp"]


def test_make_plan_installs_only_the_stacks_cloud():
    makefile = (ROOT / "Makefile").read_text()
    assert "CLOUD  ?= $(firstword $(subst -, ,$(STACK)))" in makefile
    assert re.search(r"^plan: \$\(VENV\)/\.installed-\$\(CLOUD\)$", makefile, re.M)
    assert "pip install --quiet -e '.[$(CLOUD)]'" in makefile
