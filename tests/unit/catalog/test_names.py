"""The catalog's name rules and `fit`: every rule names a real SDK property; fitted names are valid and distinct."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiplatform.catalog.names import fit, fitted, name_args, name_rules, regions, snake_case


def _sdk_class(token: str):
    package, module, name = token.split(":")
    sdk = {"aws": "pulumi_aws", "gcp": "pulumi_gcp", "kubernetes": "pulumi_kubernetes"}[package]
    if package == "kubernetes":
        group, version = module.split("/")
        group = {"core": "core", "helm.sh": "helm"}[group]
        return getattr(importlib.import_module(f"{sdk}.{group}.{version}"), name)
    return getattr(importlib.import_module(f"{sdk}.{module.split('/')[0]}"), name)


@pytest.mark.parametrize("token", sorted(name_rules().rules))
def test_every_rule_names_a_property_the_sdk_resource_takes(token):
    rule = name_rules().rules[token]
    params = inspect.signature(_sdk_class(token)._internal_init).parameters
    top = snake_case(rule.property.split(".")[0])
    assert top in params, (token, top)
    if rule.prefix:
        assert snake_case(rule.prefix) in params, (token, rule.prefix)
    re.compile(rule.pattern)


_NAMES = st.from_regex(r"[a-z][a-z0-9-]{0,120}[a-z0-9]", fullmatch=True)


@given(_NAMES, st.integers(min_value=12, max_value=64))
def test_fit_keeps_short_names_and_shortens_long_ones_within_the_limit(base, limit):
    got = fit(base, limit)
    assert len(got) <= limit
    assert re.fullmatch(r"[a-z]([-a-z0-9]*[a-z0-9])?", got)
    assert (got == base) == (len(base) <= limit)


@given(st.lists(_NAMES, min_size=2, max_size=20, unique=True))
def test_fit_does_not_make_two_names_one(bases):
    # case: two teams sharing 18 leading characters shared one service account
    assert len({fit(b, 30) for b in bases}) == len(bases)


def test_name_args_changes_nothing_for_names_that_fit_and_fits_the_rest():
    assert name_args("aws:iam/role:Role", "ml-dev-cluster-autoscaler") == {}
    long = "a-platform-name-of-exactly-forty-chars-x-cluster-autoscaler"
    prefix = name_args("aws:iam/role:Role", long)["name_prefix"]
    assert len(prefix) + 26 <= 64 and prefix.endswith("-")
    pool = name_args("gcp:container/nodePool:NodePool", "a-platform-name-of-exactly-forty-chars-x-inference")
    assert len(pool["name_prefix"]) + 26 <= 40
    assert len(fitted("aws:sagemaker/modelPackageGroup:ModelPackageGroup", "x" * 81)) == 63


def test_region_lists():
    # case: region eu-north-9
    assert "eu-north-1" in regions("aws") and "eu-north-9" not in regions("aws")
    assert {"us-central1", "us-east4", "europe-west4"} <= regions("gcp")
    assert regions("azure") == frozenset()
