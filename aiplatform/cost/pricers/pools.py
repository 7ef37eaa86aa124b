"""Node pools of both clouds: EKS node groups, Auto Scaling groups, EC2 instances and GKE node pools.

Nodes x the hourly price; idle at minSize, expected at the usage file's
`expected_nodes`, else min + `expected_utilization` x (max - min) when one is
set, else desiredSize; peak at maxSize. On-demand pools are priced at their
first instance type (EKS launches the first type it has capacity for), spot
pools at their most expensive type's spot price (spot allocation follows
capacity, not price), capacity blocks at the published rate for their instances
at every basis (paid upfront when bought).
The node volumes (launch template, root block device, GKE node disk) are
priced per node.
"""

from __future__ import annotations

from ...catalog.prices import HOURS_PER_MONTH, NOT_OFFERED, Price
from ...shape.props import as_list, as_number, known
from ...shape.resource import Resource
from ..model import LineItem, Triple
from ..pools import GKE_NODE_POOL, POOL_TYPES, Pool, pool_of
from ..pricing import Context, item, pricer, service_line

#: Node and volume disk types the catalog prices, by SKU.
VOLUME_SKUS = {"gp3": "aws-ebs-gp3", "pd-balanced": "gcp-pd-balanced"}


@pricer(*POOL_TYPES, usage=("expected_nodes", "expected_utilization"))
def price_pool(r: Resource, ctx: Context) -> list[LineItem]:
    pool = pool_of(r)
    assert pool is not None
    sizes = pool_sizes(r, ctx, pool)
    if isinstance(sizes, str):
        return [item(r, ctx, ctx.catalog.instance_sku, "Instances", status="unpriced", note=sizes)]
    nodes, basis, how = sizes
    region = ctx.region(r)
    lines = [_instance_line(r, ctx, pool, nodes, basis, how, region)]
    volume = _node_volume(r, ctx)
    if volume is not None:
        gib, vtype, where = volume
        if vtype in VOLUME_SKUS:
            lines.append(service_line(r, ctx, VOLUME_SKUS[vtype], nodes.scale(gib), basis=basis,
                                      note=f"{gib:g} GiB per node ({where})", description=f"Node volumes ({vtype})"))
        else:
            lines.append(item(r, ctx, f"aws-ebs-{vtype}", "Node volumes", status="unpriced", quantity=nodes.scale(gib),
                              note=f"{gib:g} GiB {vtype} per node ({where}); not in the catalog"))
    return lines


def pool_sizes(r: Resource, ctx: Context, pool: Pool) -> tuple[Triple, str, str] | str:
    if pool.min_size is None or pool.max_size is None:
        return "pool sizes are not known until apply"
    usage = ctx.usage_of(r)
    low, high = pool.min_size, pool.max_size
    utilization = usage.expected_utilization
    if utilization is None:
        utilization = ctx.usage.defaults.expected_utilization
    if usage.expected_nodes is not None:
        expected, basis, how = min(max(usage.expected_nodes, low), high), "usage", "expected_nodes from the usage file"
    elif utilization is not None:
        expected = low + utilization * (high - low)
        basis, how = "usage", f"expected = min + {utilization:g} x (max - min)"
    elif pool.desired_size is not None:
        expected, basis, how = pool.desired_size, "plan", f"expected = {pool.desired_from}"
    else:
        expected, basis, how = low, "plan", "expected = minSize (desiredSize unknown)"
    if not low <= expected <= high:
        how += f" ({expected:g}), clamped to [{low:g}, {high:g}]"
        expected = min(max(expected, low), high)
    return Triple(low, expected, high), basis, how


def _instance_line(r: Resource, ctx: Context, pool: Pool, nodes: Triple, basis: str, how: str,
                   region: str | None) -> LineItem:
    types = pool.instance_types
    prefix = ctx.catalog.instance_sku
    if not types:
        return item(r, ctx, prefix, "Instances", status="unpriced", quantity=nodes,
                    note="instance types are not known until apply")
    if pool.capacity == "capacity-block":
        return _capacity_block(r, ctx, types[0], nodes, region)
    if region is None:
        return item(r, ctx, f"{prefix}-{types[0]}", f"{types[0]} nodes", status="unpriced", quantity=nodes,
                    note="region unknown")
    spot = pool.capacity == "spot"
    prices = [_hourly(ctx, t, region, spot) for t in (types if spot else types[:1])]
    for found in prices:
        if isinstance(found, str):
            itype = found.split(":", 1)[0]
            return item(r, ctx, f"{prefix}-{itype}", f"{itype} nodes", status="unpriced", quantity=nodes,
                        note=f"{found} in {region}")
    itype, price, spot_note = max(prices, key=lambda p: p[1].amount)  # type: ignore[union-attr,index]
    notes = [how]
    if len(types) > 1:
        notes.append(f"priced as {itype} of {', '.join(types)}")
    if pool.capacity == "reservation":
        # A specific reservation is billed for its VMs whether pods use them or not: the pool's maximum is the
        # reservation's VM count (a pool can only grow into what the reservation holds).
        nodes = Triple.same(nodes.peak)
        notes.append("a specific reservation: its VMs (the pool's maximum) are billed at every basis, "
                     "used or not, at the on-demand rate less any commitment")
    if spot_note:
        notes.append(spot_note)
    if not price.verified:  # type: ignore[union-attr]
        notes.append(f"{itype} in {region}: not a published figure (catalog: unverified)")
    sku = f"{prefix}-{itype}-spot" if spot else f"{prefix}-{itype}"
    amount = price.amount  # type: ignore[union-attr]
    sud = price.sustained_use_discount  # type: ignore[union-attr]
    if sud and not spot and ctx.usage.defaults.sustained_use:
        amount *= 1 - sud
        notes.append(f"sustained-use discount {sud:.0%} (nodes running all month; ${price.amount:g}/h list)")  # type: ignore[union-attr]
    return item(r, ctx, sku, f"{itype} nodes ({'spot' if spot else pool.capacity or 'on-demand'})", status="priced",
                unit="hour", unit_price=round(amount, 6), quantity=nodes,
                monthly=nodes.scale(amount * HOURS_PER_MONTH), basis=basis, note="; ".join(notes),
                price_source=price.source, price_as_of=price.as_of.isoformat())  # type: ignore[union-attr]


def _capacity_block(r: Resource, ctx: Context, itype: str, nodes: Triple, region: str | None) -> LineItem:
    """A Capacity Block is paid upfront for its instances and hours, used or not: the pool's maximum (the block's
    instance count) at the published rate per instance-hour, amortised as held all month, at every basis."""
    sku, label = f"{ctx.catalog.instance_sku}-{itype}-capacity-block", f"{itype} (capacity block)"
    rate = ctx.catalog.capacity_block_price(itype, region) if region is not None else None
    if rate is None:
        return item(r, ctx, sku, label, status="unpriced", quantity=nodes,
                    note=f"no published capacity-block rate for {itype} in {region or 'an unknown region'} in the "
                         "catalog (AWS sets the rates by supply and demand: the offering shows the block's price)")
    held = Triple.same(nodes.peak)
    note = (f"capacity block: ${rate.amount:g} per instance-hour (AWS's published rate, {rate.as_of}), "
            f"{nodes.peak:g} instances held all month (a block's cost is rate x instances x its hours, paid upfront "
            "when bought; amortised here per month), at every basis; the operating-system fee comes on top")
    return item(r, ctx, sku, label, status="priced", unit="hour", unit_price=rate.amount, quantity=held,
                monthly=held.scale(rate.amount * HOURS_PER_MONTH), basis="assumption", note=note,
                price_source=rate.source, price_as_of=rate.as_of.isoformat())


def _hourly(ctx: Context, itype: str, region: str, spot: bool) -> tuple[str, Price, str] | str:
    """(type, hourly price, note) of one instance type, or why it has none ("<type>: <why>").

    Spot: the catalog's dated spot price when it has one (a type the data lists as spot is priced even where
    it is not sold on demand), else on-demand x the fallback ratio, labelled as such."""
    on_demand = ctx.catalog.instance(itype, region)
    if not spot:
        if on_demand is None or on_demand is NOT_OFFERED:
            why = "not offered on demand" if on_demand is NOT_OFFERED else "no price in the catalog"
            return f"{itype}: {why}"
        return itype, on_demand, ""  # type: ignore[return-value]
    given = ctx.usage.defaults.spot_ratio
    data = ctx.catalog.spot_price(itype, region)
    if data is NOT_OFFERED:
        return f"{itype}: not sold as spot (spot data)"
    if data is not None and given is None:
        ctx.spot_basis[itype] = "data"
        return itype, data, f"spot price from data ({data.source.rsplit('/', 1)[-1]}, {data.as_of})"  # type: ignore[union-attr]
    if on_demand is None or on_demand is NOT_OFFERED:
        why = "not offered on demand or as spot" if on_demand is NOT_OFFERED else "no price in the catalog"
        return f"{itype}: {why}"
    ratio = ctx.spot_ratio(itype)
    ctx.spot_basis[itype] = "usage" if given is not None else "fallback"
    what = "spot_ratio from the usage file" if given is not None else "spot fallback (no spot data)"
    scaled = Price(f"{on_demand.sku}-spot", on_demand.amount * ratio, "hour", on_demand.as_of,  # type: ignore[union-attr]
                   on_demand.source, verified=on_demand.verified)  # type: ignore[union-attr]
    return itype, scaled, f"{what}: {ratio:g} x on-demand ${on_demand.amount:g}/h"  # type: ignore[union-attr]


def _node_volume(r: Resource, ctx: Context) -> tuple[float, str, str] | None:
    """(GiB per node, volume type, where it was read) of a pool's volumes."""
    if r.type == GKE_NODE_POOL:
        size = as_number(r.get("nodeConfig.diskSizeGb"))
        dtype = r.get("nodeConfig.diskType")
        # GKE's defaults: 100 GB pd-balanced
        return (size if size is not None else 100.0, dtype if isinstance(dtype, str) and known(dtype) else "pd-balanced",
                "nodeConfig.diskSizeGb")
    if r.type == "aws:ec2/instance:Instance":
        size = as_number(r.get("rootBlockDevice.volumeSize"))
        vtype = r.get("rootBlockDevice.volumeType")
        if size is None:
            return None
        return size, vtype if isinstance(vtype, str) and known(vtype) else "gp2", "root block device"
    template = _launch_template(r, ctx)
    if template is None:
        size = as_number(r.get("diskSize"))
        return (size, "unknown", "diskSize; the volume type is EKS's choice") if size is not None else None
    total, types = 0.0, set()
    for mapping in as_list(template.get("blockDeviceMappings")):
        if not isinstance(mapping, dict) or not isinstance(mapping.get("ebs"), dict):
            continue
        size = as_number(mapping["ebs"].get("volumeSize"))
        if size is None:
            continue
        total += size
        vtype = mapping["ebs"].get("volumeType")
        types.add(vtype if isinstance(vtype, str) and known(vtype) else "gp2")
    if not total:
        return None
    return total, types.pop() if len(types) == 1 else "mixed", f"launch template {template.name}"


def _launch_template(r: Resource, ctx: Context) -> Resource | None:
    for prop in ("launchTemplate", "mixedInstancesPolicy"):
        for urn in r.property_dependencies.get(prop, ()):
            found = ctx.index.get(urn)
            if found is not None and found.type == "aws:ec2/launchTemplate:LaunchTemplate":
                return found
    name = r.get("launchTemplate.name")
    if isinstance(name, str) and known(name):
        return ctx.by_name.get(("aws:ec2/launchTemplate:LaunchTemplate", name))
    return None
