"""The floor: the same vendor calls our flow makes, with the same concurrency, and nothing else.

No ORM, no ledger, no mapping, no audit: tokens once, then Procore's lists per project, and per requisition its
commitment (once per commitment; the list carries the items), one Acumatica look-up per 20 and the PUT. What a
connector cannot do faster than this is the vendors' own time; ours/floor says how much of it we add.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import requests

from sandbox.acumatica import demo as acumatica_demo
from sandbox.procore import demo as procore_demo

from . import world

VERSION = "23.200.001"
LOOK_UP_GROUP = 20  # bills per Acumatica look-up, as ours (connections/systems/acumatica/adapter.py PREFETCH_GROUP)


class Floor:
    def __init__(self, sandbox_url: str, concurrency: int):
        self.url = sandbox_url
        self.concurrency = concurrency
        self.local = threading.local()
        self.commitments: dict[int, dict] = {}
        self.lock = threading.Lock()

    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session

    def tokens(self) -> None:
        http = self.session()
        procore = http.post(f"{self.url}/procore-login/oauth/token", data={
            "grant_type": "client_credentials", "client_id": procore_demo.CLIENT_ID,
            "client_secret": procore_demo.CLIENT_SECRET}, timeout=60)  # fmt: skip
        acumatica = http.post(f"{self.url}/acumatica/identity/connect/token", data={
            "grant_type": "password", "username": acumatica_demo.USERNAME, "password": acumatica_demo.PASSWORD,
            "scope": "api offline_access", "client_id": f"{acumatica_demo.CLIENT_GUID}@{acumatica_demo.TENANT}",
            "client_secret": acumatica_demo.CLIENT_SECRET}, timeout=60)  # fmt: skip
        procore.raise_for_status()
        acumatica.raise_for_status()
        self.procore_headers = {"Authorization": f"Bearer {procore.json()['access_token']}",
                                "Procore-Company-Id": str(world.COMPANY)}  # fmt: skip
        self.acumatica_headers = {"Authorization": f"Bearer {acumatica.json()['access_token']}"}

    def procore(self, path: str, **params):
        response = self.session().get(f"{self.url}/procore{path}", params=params, headers=self.procore_headers,
                                      timeout=60)  # fmt: skip
        response.raise_for_status()
        return response

    def listing(self, path: str, **params) -> list[dict]:
        response, rows = self.procore(path, **params), []
        while True:
            rows.extend(response.json())
            following = response.links.get("next", {}).get("url")
            if not following:
                return rows
            response = self.session().get(following, headers=self.procore_headers, timeout=60)
            response.raise_for_status()

    def run(self, timeout: float) -> tuple[float, int]:
        """Move every approved requisition once, or as many as `timeout` allows; returns (seconds, records moved)."""
        started = time.monotonic()
        self.deadline = started + timeout
        self.tokens()
        projects = self.listing("/rest/v1.0/projects", company_id=world.COMPANY)
        with ThreadPoolExecutor(self.concurrency) as pool:
            lists = list(pool.map(self.project, projects))
            work = [(project["id"], row) for project, rows in zip(projects, lists, strict=True) for row in rows]
            groups = [work[start : start + LOOK_UP_GROUP] for start in range(0, len(work), LOOK_UP_GROUP)]
            outcomes = [outcome for group in pool.map(self.post_group, groups) for outcome in group]
        failures = [outcome for outcome in outcomes if outcome not in ("done", "late")]
        if failures:
            raise RuntimeError(failures[0])
        return time.monotonic() - started, outcomes.count("done")

    def project(self, project: dict) -> list[dict]:
        pid = project["id"]
        self.listing("/rest/v1.0/cost_codes", project_id=pid)
        self.listing(f"/rest/v1.0/projects/{pid}/direct_costs")
        return self.listing("/rest/v1.1/requisitions", project_id=pid, per_page=100, view="items")

    def commitment(self, pid, cid) -> dict:
        with self.lock:
            known = self.commitments.get(cid)
        if known is None:
            known = self.procore(f"/rest/v1.0/work_order_contracts/{cid}", project_id=pid).json()
            with self.lock:
                self.commitments[cid] = known
        return known

    def post_group(self, group: list) -> list[str]:
        """Look a group of requisitions up in Acumatica with one `$filter` (as ours does), then PUT each one:
        'done', 'late' (past the deadline, not sent) or what went wrong, per requisition."""
        if time.monotonic() > self.deadline:
            return ["late"] * len(group)
        vendors = [world.VENDORS[self.commitment(pid, header["commitment_id"])["vendor"]["id"]][1]
                   for pid, header in group]  # fmt: skip
        base = f"{self.url}/acumatica/entity/Default/{VERSION}/Bill"
        flt = " or ".join(f"(Type eq 'Bill' and Vendor eq '{vendor}' and VendorRef eq '{header['invoice_number']}')"
                          for vendor, (_, header) in zip(vendors, group, strict=True))  # fmt: skip
        http = self.session()
        found = http.get(base, params={"$top": 200, "$skip": 0, "$filter": flt}, headers=self.acumatica_headers,
                         timeout=60)  # fmt: skip
        if found.status_code != 200 or found.json():
            return [f"look-up: {found.status_code} {found.text[:200]}"] * len(group)
        outcomes = []
        for vendor, (_, header) in zip(vendors, group, strict=True):
            if time.monotonic() > self.deadline:
                outcomes.append("late")
                continue
            # The list carries each requisition's items; the bench's store no materials, so they are all its lines
            # and a connector needs no read of its own per requisition (ours checks that against the claimed total).
            body = self.bill(header, header["items"], vendor)
            put = http.put(base, json=body, params={"$expand": "Details"}, timeout=60,
                           headers={**self.acumatica_headers, "If-None-Match": "*"})  # fmt: skip
            ok = put.status_code == 200
            outcomes.append("done" if ok else f"PUT {header['invoice_number']}: {put.status_code} {put.text[:200]}")
        return outcomes

    @staticmethod
    def bill(header: dict, detail: list[dict], vendor: str) -> dict:
        accounts = {"03-310": "50000", "06-100": "51000"}
        codes = {world.cost_code_id(p, code): code for p in range(world.PROJECTS) for code in world.COST_CODES}
        lines = []
        for item in detail:
            amount = str(Decimal(item["work_completed_this_period"]))
            lines.append({"TransactionDescription": {"value": item.get("description_of_work", "")},
                          "Qty": {"value": 1}, "UnitCost": {"value": amount}, "Amount": {"value": amount},
                          "Account": {"value": accounts[codes[item["cost_code_id"]]]},
                          "Subaccount": {"value": "000-000"}})  # fmt: skip
        return {"Type": {"value": "Bill"}, "Vendor": {"value": vendor},
                "VendorRef": {"value": header["invoice_number"]},
                "Date": {"value": f"{header['billing_date']}T00:00:00"}, "Description": {"value": "floor"},
                "Hold": {"value": False}, "Details": lines}  # fmt: skip
