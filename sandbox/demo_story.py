"""The "Summit Builders" demo company, told once for both sides of the Procore -> Acumatica demo.

Plain facts only; ``sandbox/procore/demo*.py`` and ``sandbox/acumatica/demo*.py`` build their records from them,
so a project, a vendor, a cost code or a commitment number means the same thing in both systems:

- 13 projects, 12 of them active; Acumatica knows each under its own ProjectID, with the Procore project number
  as ExternalRefNbr.
- Vendors on both sides under the same name; Keystone Roofing exists only in Procore (new there, to be created in
  Acumatica), Sierra Landscaping only in Acumatica (to be created in Procore). Old Town Supply is inactive on both.
- Cost codes are Procore's full codes, used as Acumatica CostCodeIDs unchanged; a line's Acumatica project task is
  the code's division (the first two digits).
- 16 commitments. 15 are committed (Approved) and compared: 12 match, 2 differ in amount, 1 is missing in
  Acumatica. SC-101 is still out for signature, so it is neither committed nor in Acumatica. One Acumatica purchase
  order (``ACUMATICA_ONLY_ORDERS``) has no Procore commitment.

How Acumatica holds a commitment (``Commitment.acumatica``):

- ``MATCH``: a Subcontract (work order contract) or PurchaseOrder (purchase order contract) of the same vendor with
  the Procore number as VendorRef, whose lines are the Procore lines plus one line per approved change order;
- ``DIFFERS``: the same document, but its lines are the Procore lines alone with the last one changed so the total
  is ``acumatica_total`` (entered from the bid; change orders not keyed in);
- ``MISSING``: no document at all.
"""

from __future__ import annotations

from typing import NamedTuple

MATCH, DIFFERS, MISSING = "match", "differs", "missing"
SUBCONTRACT, PURCHASE_ORDER = "subcontract", "purchase_order"  # Procore work order / purchase order contracts


class Project(NamedTuple):
    procore_id: int
    number: str  # Procore project number = Acumatica ExternalRefNbr
    name: str
    acumatica_id: str  # Acumatica ProjectID
    active: bool = True


class Vendor(NamedTuple):
    name: str
    procore_id: int | None  # None: not in Procore
    acumatica_id: str | None  # Acumatica VendorID; None: not in Acumatica
    email: str
    active: bool = True


class CostCode(NamedTuple):
    code: str  # Procore full code = Acumatica CostCodeID
    name: str
    division: str  # Acumatica project task


class Line(NamedTuple):
    cost_code: str
    cost_type: str  # Procore cost type code: "S" subcontract, "M" material
    amount: str
    description: str


class ChangeOrder(NamedTuple):
    number: str
    status: str  # "approved" amends the commitment; "pending" does not
    amount: str
    title: str


class Commitment(NamedTuple):
    procore_id: int
    number: str  # Procore commitment number = Acumatica VendorRef
    kind: str
    project: str  # project number
    vendor: str  # vendor name
    title: str
    status: str  # Procore status; only "Approved" commits cost
    lines: tuple[Line, ...]
    change_orders: tuple[ChangeOrder, ...] = ()
    acumatica: str = MATCH
    acumatica_total: str = ""  # the amount Acumatica holds, for DIFFERS


class AcumaticaOrder(NamedTuple):
    """A document entered in Acumatica only: its VendorRef is the vendor's own reference, no Procore number."""

    vendor_ref: str
    kind: str
    project: str
    vendor: str
    title: str
    lines: tuple[Line, ...]


PROJECTS = [
    Project(5_100_000_101, "2024-001", "Riverside Medical Office Building", "RIVERSIDE"),
    Project(5_100_000_102, "2024-002", "Harbor View Apartments", "HARBORVIEW"),
    Project(5_100_000_103, "2021-014", "Maple Street Elementary Renovation", "MAPLEST", active=False),
    Project(5_100_000_104, "2024-003", "Northgate Library Expansion", "NORTHGATE"),
    Project(5_100_000_105, "2024-004", "Lakeside Fire Station 7", "LAKESIDE"),
    Project(5_100_000_106, "2024-005", "Cedar Park Townhomes Phase 1", "CEDARPARK"),
    Project(5_100_000_107, "2024-006", "Eastside Transit Depot", "TRANSIT"),
    Project(5_100_000_108, "2025-001", "Summit Ridge Senior Living", "SUMMITRDG"),
    Project(5_100_000_109, "2025-002", "Pinecrest Middle School Gym", "PINECREST"),
    Project(5_100_000_110, "2025-003", "Bayfront Parking Structure", "BAYFRONT"),
    Project(5_100_000_111, "2025-004", "Westfield Retail Center Fit-Out", "WESTFIELD"),
    Project(5_100_000_112, "2025-005", "Oak Hollow Water Treatment Upgrade", "OAKHOLLOW"),
    Project(5_100_000_113, "2025-006", "County Courthouse Annex", "COURTHOUSE"),
]

STAR, APEX, BRIGHT = "Star Framing, LLC", "Apex Concrete Inc.", "Bright Line Electric Co."
CASCADE, GRANITE, STEEL = "Cascade Plumbing & Mechanical", "Granite Supply Co.", "Summit Steel Erectors"
GLASS, KEYSTONE, SIERRA = "Pacific Glass & Glazing", "Keystone Roofing Co.", "Sierra Landscaping"
OLD_TOWN = "Old Town Supply (closed)"

VENDORS = [
    Vendor(STAR, 5_200_000_201, "STARFRAME", "accounts@starframing.example"),
    Vendor(APEX, 5_200_000_202, "APEXCONC", "ar@apexconcrete.example"),
    Vendor(BRIGHT, 5_200_000_203, "BRIGHTLINE", "billing@brightline.example"),
    Vendor(CASCADE, 5_200_000_204, "CASCADEPM", "ap@cascadepm.example"),
    Vendor(GRANITE, 5_200_000_205, "GRANITESUP", "invoices@granitesupply.example"),
    Vendor(STEEL, 5_200_000_206, "SUMMITSTL", "ap@summitsteel.example"),
    Vendor(GLASS, 5_200_000_207, "PACGLASS", "ar@pacificglass.example"),
    Vendor(KEYSTONE, 5_200_000_208, None, "billing@keystoneroofing.example"),  # only in Procore
    Vendor(OLD_TOWN, 5_200_000_209, "OLDTOWNSUP", "closed@oldtownsupply.example", active=False),
    Vendor(SIERRA, None, "SIERRALAND", "billing@sierralandscaping.example"),  # only in Acumatica
]

COST_CODES = [
    CostCode("01-500", "Temporary Facilities", "01"),
    CostCode("03-300", "Cast-in-Place Concrete", "03"),
    CostCode("03-310", "Concrete Formwork", "03"),
    CostCode("05-100", "Structural Steel", "05"),
    CostCode("06-100", "Rough Carpentry", "06"),
    CostCode("07-500", "Membrane Roofing", "07"),
    CostCode("08-800", "Glazing", "08"),
    CostCode("22-100", "Plumbing Piping", "22"),
    CostCode("26-100", "Electrical Distribution", "26"),
    CostCode("32-900", "Planting", "32"),
]
DIVISIONS = [  # Acumatica project tasks, one per division of the cost codes
    ("01", "General Conditions"),
    ("03", "Concrete"),
    ("05", "Metals"),
    ("06", "Wood and Plastics"),
    ("07", "Thermal and Moisture Protection"),
    ("08", "Openings"),
    ("22", "Plumbing"),
    ("26", "Electrical"),
    ("32", "Exterior Improvements"),
]

_APPROVED, _SIGNING = "Approved", "Out For Signature"

COMMITMENTS = [
    Commitment(5_500_000_501, "SC-001", SUBCONTRACT, "2024-001", STAR, "Framing and rough carpentry", _APPROVED,
               (Line("06-100", "S", "380000.00", "Wood framing, levels 1-4"),
                Line("06-100", "M", "40000.00", "Framing lumber allowance"))),
    Commitment(5_500_000_502, "SC-002", SUBCONTRACT, "2024-001", APEX, "Concrete foundations", _APPROVED,
               (Line("03-310", "S", "150000.00", "Formwork"),
                Line("03-300", "S", "210000.00", "Cast-in-place concrete")),
               acumatica=DIFFERS, acumatica_total="350000.00"),
    Commitment(5_500_000_503, "SC-101", SUBCONTRACT, "2024-002", BRIGHT, "Electrical", _SIGNING,
               (Line("26-100", "S", "265000.00", "Power distribution"),), acumatica=MISSING),
    Commitment(5_500_000_504, "PO-001", PURCHASE_ORDER, "2024-001", GRANITE, "Rebar and embeds", _APPROVED,
               (Line("03-300", "M", "48500.00", "Rebar #4-#8, embeds"),)),
    Commitment(5_500_000_505, "PO-101", PURCHASE_ORDER, "2024-002", GRANITE, "Framing lumber package", _APPROVED,
               (Line("06-100", "M", "96400.00", "Framing lumber package"),)),
    Commitment(5_500_000_506, "SC-201", SUBCONTRACT, "2024-003", STEEL, "Structural steel erection", _APPROVED,
               (Line("05-100", "S", "120000.00", "Structural steel erection"),
                Line("05-100", "M", "12000.00", "Materials allowance")),
               (ChangeOrder("1", "approved", "4500.00", "Added scope: entry canopy steel"),)),
    Commitment(5_500_000_507, "PO-201", PURCHASE_ORDER, "2024-003", GRANITE, "Anchor bolts and base plates",
               _APPROVED, (Line("05-100", "M", "18000.00", "Anchor bolts and base plates"),)),
    Commitment(5_500_000_508, "SC-301", SUBCONTRACT, "2024-004", CASCADE, "Plumbing", _APPROVED,
               (Line("22-100", "S", "142500.00", "Plumbing rough-in and fixtures"),)),
    Commitment(5_500_000_509, "SC-401", SUBCONTRACT, "2024-005", STAR, "Townhome framing", _APPROVED,
               (Line("06-100", "S", "288500.00", "Townhome framing"),
                Line("06-100", "M", "28850.00", "Materials allowance")),
               (ChangeOrder("1", "approved", "6250.00", "Added blocking for cabinets"),)),
    Commitment(5_500_000_510, "SC-501", SUBCONTRACT, "2024-006", APEX, "Site and slab concrete", _APPROVED,
               (Line("03-300", "S", "905000.00", "Site and slab concrete"),)),
    Commitment(5_500_000_511, "SC-601", SUBCONTRACT, "2025-001", BRIGHT, "Electrical", _APPROVED,
               (Line("26-100", "S", "455000.00", "Electrical"),),
               (ChangeOrder("1", "pending", "2750.00", "Pending field change: extra circuits"),)),
    Commitment(5_500_000_512, "SC-701", SUBCONTRACT, "2025-002", KEYSTONE, "Roofing and sheet metal", _APPROVED,
               (Line("07-500", "S", "143250.00", "Roofing and sheet metal"),), acumatica=MISSING),
    Commitment(5_500_000_513, "SC-801", SUBCONTRACT, "2025-003", APEX, "Post-tensioned decks", _APPROVED,
               (Line("03-300", "S", "612000.00", "Post-tensioned decks"),
                Line("03-310", "S", "88000.00", "Deck formwork"))),
    Commitment(5_500_000_514, "SC-901", SUBCONTRACT, "2025-004", GLASS, "Storefront glazing", _APPROVED,
               (Line("08-800", "S", "251000.00", "Storefront glazing"),),
               (ChangeOrder("1", "approved", "12550.00", "Revised storefront at tenant B"),),
               acumatica=DIFFERS, acumatica_total="251000.00"),
    Commitment(5_500_000_515, "SC-1001", SUBCONTRACT, "2025-005", CASCADE, "Process piping", _APPROVED,
               (Line("22-100", "S", "318750.00", "Process piping"),)),
    Commitment(5_500_000_516, "SC-1101", SUBCONTRACT, "2025-006", STEEL, "Structural steel", _APPROVED,
               (Line("05-100", "S", "734400.00", "Structural steel"),)),
]  # fmt: skip

ACUMATICA_ONLY_ORDERS = [
    AcumaticaOrder("SL-Q-2291", PURCHASE_ORDER, "2025-005", SIERRA, "Site planting and restoration",
                   (Line("32-900", "M", "24600.00", "Site planting and restoration"),)),
]  # fmt: skip


def project(number: str) -> Project:
    """The project with this Procore project number."""
    return next(p for p in PROJECTS if p.number == number)


def vendor(name: str) -> Vendor:
    """The vendor with this name."""
    return next(v for v in VENDORS if v.name == name)


def cost_code(code: str) -> CostCode:
    """The cost code with this full code."""
    return next(c for c in COST_CODES if c.code == code)
