"""Rounding money to a currency's minor unit, the same way for every destination.

A source may carry amounts finer than a cent (a unit price times a quantity, a tax split over allocations). A
destination stores cents and adds its lines up itself, so each line is rounded here, once, explicitly: the total
is rounded half away from zero, and the lines are rounded so that they add up to exactly that total (the cents the
lines' own rounding gained or lost go to the lines nearest a half). No Django here.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

#: ISO 4217 currencies whose minor unit is not the cent; every other currency has two decimals.
MINOR_UNITS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV"), 0),
    **dict.fromkeys(("XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}


def quantum(currency: str) -> Decimal:
    """The smallest amount of `currency` (0.01 unless ISO 4217 says otherwise)."""
    return Decimal(1).scaleb(-MINOR_UNITS.get((currency or "").upper(), 2))


def rounded(amount: Decimal, currency: str, step: Decimal | None = None) -> Decimal:
    """`amount` to the currency's minor unit (or to `step`), half away from zero."""
    return Decimal(amount).quantize(step or quantum(currency), rounding=ROUND_HALF_UP)


def rounded_lines(amounts: list[Decimal], currency: str, step: Decimal | None = None) -> list[Decimal]:
    """Each amount rounded to the minor unit, the lines adding up exactly to the rounded total of all of them.

    `step` replaces the currency's minor unit for a destination that keeps fewer places (Intacct: cents).
    """
    step = step or quantum(currency)
    exact = [Decimal(amount) for amount in amounts]
    lines = [rounded(amount, currency, step) for amount in exact]
    short = int((rounded(sum(exact, Decimal(0)), currency, step) - sum(lines, Decimal(0))) / step)
    if short:
        # The lines whose rounding moved them furthest the other way take the missing (or extra) units first.
        order = sorted(range(len(exact)), key=lambda i: (exact[i] - lines[i]) * (1 if short > 0 else -1), reverse=True)
        for index in order[: abs(short)]:
            lines[index] += step if short > 0 else -step
    return lines
