"""The shop's facts as the LLM reads them: one line per product, straight from the catalog.

The same lines go into the slot-filling prompt (so the model picks ids, sizes and colours that
exist) and into the phrasing prompt and the output guard (so a phrased reply may use exactly
these facts and no others).
"""

from __future__ import annotations

from ottenok.catalog import Catalog
from ottenok.phrasing.words import price_text
from ottenok.slots import OrderSlots

#: A description is flavour, not a fact the turn needs in full.
DESCRIPTION_CHARS = 200


def product_line(catalog: Catalog, product_id: str) -> str | None:
    """ "id: … | Кеды Coach (Coach; коуч) | shoes | 35 000 ₸ | colours: … | sizes: … |
    in stock: …" — None for an unknown id."""
    product = catalog.get(product_id)
    if product is None:
        return None
    names = [n for n in (product.brand, *product.aliases) if n]
    label = f"{product.name} ({'; '.join(names)})" if names else product.name
    parts = [f"id: {product.id}", label, product.type.value, price_text(catalog.price(product.id))]
    colors, sizes = catalog.colors(product.id), catalog.sizes(product.id)
    if colors:
        parts.append("colours: " + ", ".join(colors))
    if sizes:
        parts.append("sizes: " + ", ".join(sizes))
    available = catalog.check_availability(product.id)
    if not available.known:
        parts.append("in stock: not in the inventory")
    elif not available.in_stock:
        parts.append("in stock: nothing")
    else:
        stocked = [f"sizes {', '.join(available.sizes)}"] if available.sizes else []
        stocked += [f"colours {', '.join(available.colors)}"] if available.colors else []
        parts.append("in stock: " + "; ".join(stocked or ["yes"]))
    if product.material:
        parts.append(f"material: {product.material}")
    if product.description:
        parts.append(product.description[:DESCRIPTION_CHARS])
    return " | ".join(parts)


def slots_line(catalog: Catalog, slots: OrderSlots) -> str:
    """The order so far, with the product's name next to its id."""
    values = slots.filled()
    if slots.product and (product := catalog.get(slots.product)) is not None:
        values["product"] = f"{slots.product} ({product.name})"
    return "; ".join(f"{k}={v}" for k, v in values.items()) or "nothing yet"
