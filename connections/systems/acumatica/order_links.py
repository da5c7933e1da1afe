"""Bills posted before the purchase order they were bought on, linked once that order is in Acumatica.

A bill is linked to its purchase order (each line's POOrderType and POOrderNbr) when the order is already in Acumatica
as it is posted. When it is not yet (the order waits for a mapping, or its flow runs later), the bill is posted
without the link and says in its note which order it waits for; writing that purchase order then looks up the
vendor's bills of ours that wait for it and links them. The link is not kept anywhere else, so a bill never waits
on an order that may never come, and an order posted later still finds every bill bought on it.
"""

from __future__ import annotations

from connections import errors

from .fields import equals, field_errors, key_marker, value, wrap

#: What the note of a bill posted before its purchase order says after our key (the key stays first: look-ups find it).
AWAITING = " awaiting purchase order "


def awaited_order(bill) -> str | None:
    """The source's number of the purchase order a bill names (the order's VendorRef in Acumatica), if any."""
    ref = getattr(bill, "commitment", None)
    if ref is None or getattr(bill, "kind", "") == "credit":
        return None
    return str(ref.code or ref.native_id or "") or None


def awaiting_note(key: str, order_ref: str) -> str:
    return f"{key_marker(key)}{AWAITING}{order_ref}"


def link_waiting_bills(client, vendor: str, order_ref: str, order: tuple[str, str]) -> dict[str, str]:
    """Link the vendor's bills of ours that wait for the purchase order `order_ref` to `order` (Type, OrderNbr).

    Returns {bill ReferenceNbr: "linked" or why not}; a bill Acumatica refuses to change (e.g. released meanwhile)
    stays as it is, said here, and never fails the order's own write.
    """
    outcome: dict[str, str] = {}
    wanted = AWAITING + order_ref
    for row in client.rows("Bill", equals(Type="Bill", Vendor=vendor)):
        note = str(value(row.get("note")) or "")
        if not note.startswith(key_marker("")) or not note.endswith(wanted):
            continue
        number = str(value(row.get("ReferenceNbr")) or "")
        lines = client.get_bill("Bill", number).get("Details") or []
        body = wrap({"Type": "Bill", "ReferenceNbr": number})
        body["note"] = {"value": note[: -len(wanted)]}  # our key alone: the bill waits no more
        body["Details"] = [
            {"id": line["id"], **wrap({"POOrderType": order[0], "POOrderNbr": order[1]})}
            for line in lines
            if line.get("id")
        ]
        try:
            client.put_bill(body, insert_only=False, idempotent=True)
        except errors.ValidationFailed as exc:
            outcome[number] = f"not linked: {field_errors(exc.body) or exc}"
            continue
        outcome[number] = "linked"
    return outcome
