"""Refresh the instance price rows of the catalog from the clouds' machine-readable price lists.

Not shipped. The price lists are downloaded by the user where a network exists and given as files:

- AWS: the Price List bulk offer file of AmazonEC2 for one region
  (https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/<region>/index.json),
  `--aws <region>=<file>`, repeatable. Linux, shared tenancy, no pre-installed software, capacity
  status Used, on-demand hourly.
- GCP: the Cloud Billing Catalog SKUs of Compute Engine
  (https://cloudbilling.googleapis.com/v1/services/6F81-5844-456A/skus, every page's `skus` in one
  list), `--gcp <file>`. A machine type's hourly price is vCPUs x the family's core rate + GiB x its
  RAM rate + GPUs x the GPU's rate (vCPUs, memory and GPUs from the instance catalog); spot from the
  `Preemptible` SKUs the same way.

Only rows whose price moved are rewritten, each region's new figure citing the file's source and the
`--as-of` date (`regional_source` / `regional_as_of`, `spot_source` / `spot_as_of`); a refreshed
region leaves `unverified`. Every other line of the YAML stays byte for byte.

    python tools/refresh_prices.py --root . --as-of 2026-12-01 --gcp skus.json --aws us-east-1=ec2.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

AWS_SOURCE = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/{region}/index.json"
GCP_SOURCE = "https://cloudbilling.googleapis.com/v1/services/6F81-5844-456A/skus"
#: The Billing Catalog's name of each machine family's core and RAM SKUs ("<name> Instance Core").
GCP_FAMILIES = {"g2": "G2", "a2": "A2", "a3": "A3", "e2": "E2", "n1": "N1 Predefined", "n2": "N2"}
#: The Billing Catalog's name of each GPU model of the instance catalog ("<name> running in ...").
GCP_GPUS = {"L4": "Nvidia L4 GPU", "A100-40GB": "Nvidia Tesla A100 GPU", "A100-80GB": "Nvidia A100 80GB GPU",
            "H100": "Nvidia H100 80GB GPU"}
DIGITS = 6
#: A price "moved" when it differs by more than this share (rounding of the per-unit rates stays put).
TOLERANCE = 1e-4


@dataclass
class Change:
    type: str
    region: str
    what: str  # on_demand or spot
    before: float | None
    after: float


@dataclass
class Refresh:
    changes: list[Change] = field(default_factory=list)
    text: str = ""


# ---- reading the price lists ------------------------------------------------------------------------


def aws_on_demand(offer: dict[str, Any]) -> dict[str, float]:
    """Instance type -> hourly on-demand USD from one region's AmazonEC2 offer file."""
    products = {}
    for sku, product in (offer.get("products") or {}).items():
        a = product.get("attributes") or {}
        if (product.get("productFamily") == "Compute Instance" and a.get("operatingSystem") == "Linux"
                and a.get("tenancy") == "Shared" and a.get("preInstalledSw") == "NA"
                and a.get("capacitystatus") == "Used" and a.get("instanceType")):
            products[sku] = a["instanceType"]
    prices: dict[str, float] = {}
    for sku, terms in ((offer.get("terms") or {}).get("OnDemand") or {}).items():
        if sku not in products:
            continue
        for term in terms.values():
            for dim in (term.get("priceDimensions") or {}).values():
                if dim.get("unit") == "Hrs" and "USD" in (dim.get("pricePerUnit") or {}):
                    prices[products[sku]] = float(dim["pricePerUnit"]["USD"])
    return prices


def _unit_price(sku: dict[str, Any]) -> float | None:
    for info in sku.get("pricingInfo") or []:
        rates = ((info.get("pricingExpression") or {}).get("tieredRates")) or []
        if rates:
            money = rates[-1].get("unitPrice") or {}
            return int(money.get("units") or 0) + int(money.get("nanos") or 0) / 1e9
    return None


def gcp_rates(skus: list[dict[str, Any]]) -> dict[tuple[str, str, str], float]:
    """(what, region, OnDemand|Preemptible) -> USD per unit, from Compute Engine SKUs.

    `what` is "<family> Instance Core", "<family> Instance Ram" or a GPU name of GCP_GPUS."""
    rates = {}
    for sku in skus:
        category = sku.get("category") or {}
        usage = category.get("usageType")
        if category.get("serviceDisplayName") != "Compute Engine" or usage not in ("OnDemand", "Preemptible"):
            continue
        match = re.fullmatch(r"(?:Spot Preemptible )?(.+?) running in .+", sku.get("description", ""))
        price = _unit_price(sku)
        if match is None or price is None:
            continue
        for region in sku.get("serviceRegions") or []:
            rates[(match.group(1), region, usage)] = price
    return rates


def gcp_machine_price(row: dict[str, Any], region: str, usage: str, rates: dict) -> float | None:
    """A machine type's hourly price from its family's core and RAM rates and its GPUs; None if a rate is missing."""
    family = GCP_FAMILIES.get(row["type"].split("-", 1)[0])
    if family is None:
        return None
    parts = [(f"{family} Instance Core", row["vcpu"]), (f"{family} Instance Ram", row["memory_gib"])]
    accelerator = row.get("accelerator")
    if accelerator:
        parts.append((GCP_GPUS[accelerator["model"]], accelerator["count"]))
    total = 0.0
    for what, amount in parts:
        rate = rates.get((what, region, usage))
        if rate is None:
            return None
        total += rate * amount
    return round(total, DIGITS)


# ---- rewriting the catalog --------------------------------------------------------------------------


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, (dt.date, str)):
        text = value.isoformat() if isinstance(value, dt.date) else value
        return json.dumps(text) if re.search(r"[:#{}\[\],&*!|>'\"%@`]|^\d", text) else text
    if isinstance(value, float):
        return repr(round(value, DIGITS))
    return str(value)


def flow(value: Any) -> str:
    """A YAML flow-style rendering in the catalog's hand-written style."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return _scalar(value)


def _moved(before: float | None, after: float) -> bool:
    return before is None or abs(after - before) > TOLERANCE * max(abs(before), abs(after))


def refresh_rows(text: str, new: dict[tuple[str, str, str], tuple[float, str]], as_of: dt.date) -> Refresh:
    """Rewrite the instance rows of a price file whose (type, region, on_demand|spot) price moved."""
    out = Refresh()
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if not line.startswith("  - {type: "):
            continue
        row = yaml.safe_load(line.strip()[2:])
        changed = False
        for (itype, region, what), (price, source) in sorted(new.items()):
            if itype != row["type"]:
                continue
            if what == "on_demand":
                before = row["on_demand"].get(region)
                if not _moved(before, price):
                    continue
                row["on_demand"][region] = round(price, DIGITS)
                row.setdefault("regional_source", {})[region] = source
                row["regional_as_of"] = as_of
                if region in row.get("unverified", []):
                    row["unverified"].remove(region)
                    if not row["unverified"]:
                        del row["unverified"]
            else:
                before = (row.get("spot") or {}).get(region)
                if before is not None and not _moved(before, price):
                    continue
                row.setdefault("spot", {})[region] = round(price, DIGITS)
                row["spot_as_of"], row["spot_source"] = as_of, source
            out.changes.append(Change(itype, region, what, before, price))
            changed = True
        if changed:
            lines[i] = "  - " + flow(row) + "\n"
    text = "".join(lines)
    if out.changes:
        text = re.sub(r'^as_of: "[^"]*"', f'as_of: "{max(as_of, _file_as_of(text)).isoformat()}"', text, count=1,
                      flags=re.M)
    out.text = text
    return out


def _file_as_of(text: str) -> dt.date:
    found = re.search(r'^as_of: "([^"]*)"', text, flags=re.M)
    return dt.date.fromisoformat(found.group(1)) if found else dt.date.min


def aws_updates(offers: dict[str, dict[str, Any]], types: list[str]) -> dict[tuple[str, str, str], tuple[float, str]]:
    new = {}
    for region, offer in offers.items():
        prices = aws_on_demand(offer)
        for itype in types:
            if itype in prices:
                new[(itype, region, "on_demand")] = (prices[itype], AWS_SOURCE.format(region=region))
    return new


def gcp_updates(skus: list[dict[str, Any]], instances: list[dict[str, Any]],
                regions: list[str]) -> dict[tuple[str, str, str], tuple[float, str]]:
    rates = gcp_rates(skus)
    new = {}
    for row in instances:
        for region in regions:
            for usage, what in (("OnDemand", "on_demand"), ("Preemptible", "spot")):
                price = gcp_machine_price(row, region, usage, rates)
                if price is not None:
                    new[(row["type"], region, what)] = (price, GCP_SOURCE)
    return new


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path("."))
    parser.add_argument("--as-of", type=dt.date.fromisoformat, required=True, help="the price lists' date")
    parser.add_argument("--aws", action="append", default=[], metavar="REGION=FILE")
    parser.add_argument("--gcp", type=Path, help="Compute Engine SKUs (a JSON list, or an object with 'skus')")
    parser.add_argument("--check", action="store_true", help="report what would change; write nothing")
    args = parser.parse_args(argv)
    data = args.root / "aiplatform/catalog/data"
    jobs = []
    if args.aws:
        offers = {}
        for spec in args.aws:
            region, _, path = spec.partition("=")
            offers[region] = json.loads(Path(path).read_text(encoding="utf-8"))
        types = [r["type"] for r in yaml.safe_load((data / "aws_instances.yaml").read_text())["instance_types"]]
        jobs.append((data / "aws_prices.yaml", aws_updates(offers, types)))
    if args.gcp:
        raw = json.loads(args.gcp.read_text(encoding="utf-8"))
        skus = raw["skus"] if isinstance(raw, dict) else raw
        instances = yaml.safe_load((data / "gcp_instances.yaml").read_text())["instance_types"]
        regions = yaml.safe_load((data / "gcp_prices.yaml").read_text())["regions"]
        jobs.append((data / "gcp_prices.yaml", gcp_updates(skus, instances, regions)))
    for path, new in jobs:
        result = refresh_rows(path.read_text(encoding="utf-8"), new, args.as_of)
        for c in result.changes:
            print(f"{path.name}: {c.type} {c.region} {c.what}: {c.before} -> {c.after:g}")
        if not args.check and result.changes:
            path.write_text(result.text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
