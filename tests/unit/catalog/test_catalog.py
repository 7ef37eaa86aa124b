"""The instance catalog and the version pins: validated data, no guessing from names."""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT

from aiplatform.catalog import CatalogError, aws_instances
from aiplatform.catalog.checks import accelerator_type_problems
from aiplatform.catalog.instances import load_catalog
from aiplatform.catalog.pins import (
    AMI_TYPES_BY_VENDOR,
    CLUSTER_AUTOSCALER_IMAGE_TAGS,
    DEFAULT_KUBERNETES_VERSION,
    EKS_ADDON_VERSIONS,
)

REQUIRED_FAMILIES = {"g4dn", "g5", "g6", "g6e", "p4d", "p4de", "p5", "inf2", "trn1"}


def test_catalog_covers_the_required_accelerator_families():
    families = {row.family for row in aws_instances().accelerated()}
    assert families >= REQUIRED_FAMILIES


@pytest.mark.parametrize(
    "itype,model,count,memory",
    [("g5.12xlarge", "A10G", 4, 24), ("p5.48xlarge", "H100", 8, 80), ("p4de.24xlarge", "A100-80GB", 8, 80),
     ("g6e.xlarge", "L40S", 1, 48), ("inf2.48xlarge", "Inferentia2", 12, 32), ("g4dn.12xlarge", "T4", 4, 16)],
)
def test_known_rows(itype, model, count, memory):
    acc = aws_instances().get(itype).accelerator
    assert (acc.model, acc.count, acc.memory_gib) == (model, count, memory)


def test_every_row_is_sourced_and_vendor_resources_are_known():
    for row in aws_instances().instance_types:
        assert row.source.startswith("https://aws.amazon.com/ec2/instance-types/")
        if row.accelerator:
            assert row.accelerator.device_resource in ("nvidia.com/gpu", "aws.amazon.com/neuron")
            assert row.accelerator.vendor in AMI_TYPES_BY_VENDOR


def test_catalog_rejects_bad_data():
    with pytest.raises(CatalogError) as info:
        load_catalog(
            "as_of: 2026-01-01\ninstance_types:\n"
            "  - {type: g5.xlarge, vcpu: 4, memory_gib: 16, source: 'https://x'}\n"
            "  - {type: g5.xlarge, vcpu: 0, memory_gib: 16, source: 'http://x', colour: red}\n"
        )
    text = str(info.value)
    assert "instance_types[1].vcpu" in text and "instance_types[1].source" in text and "instance_types[1].colour: unknown key" in text
    with pytest.raises(CatalogError, match="duplicate instance types: g5.xlarge"):
        load_catalog("as_of: 2026-01-01\ninstance_types:\n" + "  - {type: g5.xlarge, vcpu: 4, memory_gib: 16, source: 'https://x'}\n" * 2)
    with pytest.raises(CatalogError, match="not valid YAML"):
        load_catalog("as_of: [")


def test_accelerator_type_checks():
    assert accelerator_type_problems(["g6.xlarge", "g6.2xlarge"]) == []
    assert [p for p, _ in accelerator_type_problems(["m7i.large", "g6.xlarge", "zz.top"])] == ["[0]", "[2]"]
    assert accelerator_type_problems(["m7i.large"], allow_unlisted=True) == []
    assert "mixes accelerator vendors" in accelerator_type_problems(["g6.xlarge", "inf2.xlarge"])[0][1]
    assert accelerator_type_problems(["g6.2xlarge", "g6e.2xlarge"]) == [("", (
        "mixes accelerator models L4 (g6.2xlarge), L40S (g6e.2xlarge): a pool carries one model (its accelerator "
        "label names it and workloads select on it); use one pool per model"))]
    assert accelerator_type_problems(["g6.xlarge", "g6.2xlarge"]) == []  # two sizes of one model
    assert accelerator_type_problems(["g2-standard-8", "a2-highgpu-1g"])[0][1].startswith("mixes accelerator models A100")


def test_pins_cover_every_supported_version():
    assert DEFAULT_KUBERNETES_VERSION in EKS_ADDON_VERSIONS
    assert set(CLUSTER_AUTOSCALER_IMAGE_TAGS) == set(EKS_ADDON_VERSIONS)
    for version, addons in EKS_ADDON_VERSIONS.items():
        assert set(addons) == {"vpc-cni", "kube-proxy", "coredns", "eks-pod-identity-agent"}
        assert addons["kube-proxy"].startswith(f"v{version}.")
        assert CLUSTER_AUTOSCALER_IMAGE_TAGS[version].startswith(f"v{version}.")


def test_config_reference_is_current():

    root = ROOT
    sys.path.insert(0, str(root / "tools"))
    from reference import config_reference_markdown

    docs = root / "docs" / "config.md"
    assert docs.read_text() == config_reference_markdown(), "stale: run `python tools/reference.py --root .`"
