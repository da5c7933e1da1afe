"""The demo's Exact Online -> Procore integration: Van der Meer Bouw keeps its books in Exact, its projects in Procore.

Exact side: the Exact simulator's demo company (sandbox/exact/demo.py), connected as an admin would connect it: the
consent page is opened over HTTP, the demo user allows access, and the code it redirects with is exchanged through
the same connect flow the admin's "Connect to Exact Online" button uses; the division is read from /current/Me.
Procore side: the company's own Procore account (a second company in the Procore simulator, set up through the
simulator's control API as a Procore admin would set it up): its projects, cost codes and cost types.

Maps: Exact projects P24001 and P24002 route to their Procore projects; P23017 (closed, only a cancelled order)
is left unmapped. Account rules code invoice lines by GL account and order lines (which carry no GL account) by
cost center and description; general costs (account 4800, cost center 900, no project) have no rule, so the
invoice carrying them waits in "needs mapping" for a finance user. Suppliers are mirrored into Procore's directory
the first time a document names them.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urljoin, urlsplit

from sandbox.exact import demo as exact_demo

from .demo_connections import save_connection, sibling_procore

NAME = "Exact Online -> Procore (demo)"
EXACT_NAME = "Exact Online (simulator)"
PROCORE_NAME = "Procore - Van der Meer Bouw (simulator)"
FLOWS = ["vendors_forward", "purchase_orders_to_commitments", "purchase_invoices_to_costs"]

#: The Procore account of the Dutch company (ids chosen clear of the Summit Builders demo's).
COMPANY_ID = 4_310_001
COMPANY_NAME = "Van der Meer Bouw B.V."
#: Procore project id -> (project number, name, Exact project code it corresponds to)
PROJECTS = {
    6_100_000_001: ("24-001", "Nieuwbouw 24 woningen Vathorst", "P24001"),
    6_100_000_002: ("24-002", "Renovatie kantoorpand Papendorp", "P24002"),
    6_100_000_003: ("23-017", "Onderhoud scholen Utrecht-Oost", "P23017"),
}
UNMAPPED_PROJECT = "P23017"
#: Procore cost codes, on every project: full code -> name
COST_CODES = {
    "01-500": "Steigers en tijdelijke voorzieningen",
    "03-100": "Beton- en metselwerk",
    "26-100": "Elektrotechniek",
    "31-200": "Grondwerk",
}
#: Procore cost types (line item types): id -> (code, name)
COST_TYPES = {
    6_400_000_001: ("S", "Subcontract"),
    6_400_000_002: ("M", "Material"),
    6_400_000_003: ("E", "Equipment"),
    6_400_000_004: ("L", "Labor"),
    6_400_000_005: ("O", "Other"),
}
#: Account rules: (order, GL account, cost center, description pattern, syntax, cost code, cost type). Invoice lines
#: carry a GL account; order lines carry none, so the rules for them name a cost center (and a description).
RULES = [
    (10, "4000", "", "", "glob", "03-100", "M"),
    (20, "4020", "", "", "glob", "01-500", "E"),
    (30, "4030", "", "", "glob", "31-200", "S"),
    (40, "4040", "", "", "glob", "26-100", "M"),
    (60, "", "100", "grond|zand|graaf", "regex", "31-200", "S"),
    (70, "", "100", "", "glob", "03-100", "M"),
    (80, "", "200", "*steiger*", "glob", "01-500", "E"),
    (90, "", "200", "", "glob", "26-100", "S"),
]
#: Left without a rule on purpose: general costs, on no project.
UNMAPPED_ACCOUNT = "4800"


def cost_code_id(project_id: int, full_code: str) -> int:
    """Procore cost codes are per project: ids 6_300_0PP_0NN."""
    return 6_300_000_000 + (project_id - 6_100_000_000) * 1000 + list(COST_CODES).index(full_code) + 1


def procore_company(projects: dict[int, tuple] | None = None) -> dict:
    """The Procore records of the company, as the simulator's control API takes them."""
    projects = PROJECTS if projects is None else projects
    return {
        "companies": [{"id": COMPANY_ID, "name": COMPANY_NAME, "is_active": True, "app_installed": True}],
        "projects": [
            {
                "id": pid,
                "company_id": COMPANY_ID,
                "project_number": number,
                "name": name,
                "active": True,
                "origin_id": None,
                "origin_data": None,
                "origin_code": None,
            }
            for pid, (number, name, _exact) in projects.items()
        ],  # fmt: skip
        "line_item_types": [
            {"id": tid, "company_id": COMPANY_ID, "code": code, "name": name, "base_type": name, "origin_id": None}
            for tid, (code, name) in COST_TYPES.items()
        ],
        "cost_codes": [
            {
                "id": cost_code_id(pid, full),
                "project_id": pid,
                "code": full[-3:],
                "full_code": full,
                "name": name,
                "parent_id": None,
                "origin_id": None,
                "line_item_type_ids": list(COST_TYPES),
            }
            for pid in projects
            for full, name in COST_CODES.items()
        ],  # fmt: skip
    }


def connection_values(sandbox_url: str, procore_settings: dict, procore_secrets: dict) -> dict[str, dict]:
    """name -> fields of the integration's two connections (Procore's credentials are the demo service account's)."""
    return {
        EXACT_NAME: {
            "system": "exact",
            "settings": {"region": "nl", "division": "", "base_url": f"{sandbox_url}/exact-nl"},
            "secrets": {
                "client_id": exact_demo.CLIENT_ID,
                "client_secret": exact_demo.CLIENT_SECRET,
                "webhook_secret": exact_demo.WEBHOOK_SECRET,
            },
        },
        PROCORE_NAME: sibling_procore(procore_settings, procore_secrets, COMPANY_ID),
    }


def seed_integration(tenant, connections: dict) -> None:
    """The integration and its two connections (the Procore one a sibling of the demo's own Procore connection).

    Nothing here calls a simulator: connecting to Exact and the maps come with `seed_maps`."""
    from connections.models import Connection

    from .models import Integration

    procore = connections["procore"]
    sandbox_url = procore.settings["base_url"].rsplit("/procore", 1)[0]
    made = {}
    for name, values in connection_values(sandbox_url, procore.settings, procore.secrets).items():
        existing = Connection.objects.filter(tenant=tenant, name=name).first()
        settings = {**values["settings"], **_kept_division(existing, values)}
        made[values["system"]] = save_connection(tenant, name, values, settings)
    Integration.objects.update_or_create(
        tenant=tenant,
        name=NAME,
        defaults={"source": made["exact"], "destination": made["procore"], "flows": FLOWS, "poll_interval_minutes": 5},
    )


def _kept_division(connection, values) -> dict:
    """A division chosen when connecting (or changed by the admin since) survives a re-seed."""
    division = (connection.settings or {}).get("division") if connection is not None else ""
    return {"division": division} if values["system"] == "exact" and division else {}


def seed_maps(integration) -> dict[str, int]:
    """Set up the Procore company, connect to Exact through its consent page (unless connected), pull reference
    data from both sides, then the project maps and account rules of the plan above."""
    from sandbox.testing import SandboxControl

    sandbox_url = integration.destination.settings["base_url"].rsplit("/procore", 1)[0]
    _call_simulator(lambda: SandboxControl(sandbox_url, "procore").seed(procore_company()))
    if not (integration.source.token_state or {}).get("refresh_token"):
        connect_through_consent(integration.source, exact_demo.REDIRECT_URIS[0])
    from mappings.pull import pull_reference

    pull_reference(integration.source)
    pull_reference(integration.destination)
    projects, rules = _seed_project_maps(integration), _seed_rules(integration)
    return {"vendors": 0, "cost_codes": 0, "projects": projects, "rules": rules}


def _call_simulator(call):
    """A control call; a simulator that cannot be reached is an ApiError like any other."""
    import requests

    from connections import errors

    try:
        return call()
    except (requests.RequestException, RuntimeError) as exc:
        raise errors.Transient(f"the simulator could not be reached: {exc}") from exc


def connect_through_consent(connection, redirect_uri: str) -> str:
    """What an admin does with "Connect to Exact Online", done over HTTP: open the consent page, allow, and hand the
    code it redirects with to the connect flow (exchange, tokens stored encrypted, division read). Returns the
    flow's note."""
    import lxml.html
    import requests

    from connections.oauth import issue_state, store_grant

    flow = connection.spec.oauth_flow()
    admin = _seeding_user()
    url = flow.authorize_url(connection, redirect_uri, issue_state(connection, admin))
    browser = requests.Session()  # a browser, not an API client: it only reads the page and submits its form

    def consent() -> str:
        page = browser.get(url, timeout=10)
        form = lxml.html.fromstring(page.text).forms[0]
        answer = browser.post(
            urljoin(page.url, form.action),
            data={**dict(form.fields), "decision": "allow"},
            allow_redirects=False,
            timeout=10,
        )
        return answer.headers.get("Location", "")

    location = _call_simulator(consent)
    query = {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
    if not location.startswith(redirect_uri) or "code" not in query:
        from connections import errors

        raise errors.Permanent(f"the consent page did not grant access ({location or 'no redirect'})")
    from connections.oauth import consume_state

    consume_state(query["state"], admin)  # the state we issued comes back, and is spent, as in the callback view
    store_grant(connection, flow.exchange_code(connection, query["code"], redirect_uri, {}))
    return flow.connected(connection, {})


def _seeding_user():
    """The demo's superuser, on whose behalf the seeding connects (as the admin pressing the button would)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_superuser=True).order_by("pk").first()


def _seed_project_maps(integration) -> int:
    from mappings.models import ChangeSource, ProjectMap, ReferenceRecord
    from mappings.services import save_map

    numbers = {exact: number for number, _name, exact in PROJECTS.values()}
    count = 0
    for source in ReferenceRecord.objects.filter(connection=integration.source, kind="project"):
        if source.code == UNMAPPED_PROJECT or source.code not in numbers:
            continue
        if ProjectMap.objects.filter(integration=integration, source=source).exists():
            continue
        target = ReferenceRecord.objects.get(
            connection=integration.destination, kind="project", code=numbers[source.code]
        )
        save_map(ProjectMap(integration=integration, source=source, destination=target), None, ChangeSource.ADMIN)
        count += 1
    return count


def _seed_rules(integration) -> int:
    from mappings.models import AccountRule, ChangeSource
    from mappings.services import save_map

    count = 0
    for order, account, center, pattern, syntax, cost_code, cost_type in RULES:
        values = {"account_code": account, "cost_center": center, "description_pattern": pattern}
        if AccountRule.objects.filter(integration=integration, **values).exists():
            continue
        rule = AccountRule(integration=integration, order=order, pattern_syntax=syntax, cost_code=cost_code,
                           cost_type=cost_type, **values)  # fmt: skip
        save_map(rule, None, ChangeSource.ADMIN)
        count += 1
    return count
