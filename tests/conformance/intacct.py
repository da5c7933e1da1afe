"""Conformance checks for the Sage Intacct gateway, from its published XML.

Intacct publishes no OpenAPI: its contract is the XML of the official SDK's tests. ``sandbox/intacct/
contract/envelope.json`` states the response envelope's structure as content models (DTD notation) over
child element names, derived from those published envelopes (``published-envelopes.json``). This module
turns it into the same kind of checks the OpenAPI systems get:

- ``EnvelopeContract.load()`` reads the contract;
- ``contract.check(body)`` -> problems found in one response body (element order, missing or
  undeclared children, status values, ``<data>`` attributes, the status/error consistency rules).

The route itself (``POST /ia/xml/xmlgw.phtml``) is a per-operation file of the shared framework
(``contract/gateway.json``), so ``framework.check_routes`` covers it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

CONTRACT_DIR = Path(__file__).resolve().parents[2] / "sandbox" / "intacct" / "contract"
ROLLED_BACK = "XL03000009"
_NAME = re.compile(r"[A-Za-z_][\w.-]*")


def compile_model(model: str) -> re.Pattern:
    """'status,function,(data|key)?' -> a regex over 'name ' tokens of the children, in order."""
    return re.compile(_NAME.sub(lambda m: f"(?:{m.group(0)} )", model.replace(" ", "")).replace(",", ""))


def _parse(body: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(body, parser)


def _kids(element: etree._Element) -> list[etree._Element]:
    return [kid for kid in element if isinstance(kid.tag, str)]


@dataclass
class EnvelopeContract:
    gateway: dict
    root: str
    elements: dict[str, dict]
    models: dict[str, re.Pattern]

    @classmethod
    def load(cls, directory: Path = CONTRACT_DIR) -> EnvelopeContract:
        spec = json.loads((directory / "envelope.json").read_text())
        models = {
            key: compile_model(rule[name])
            for key, rule in spec["elements"].items()
            for name in ("content", "without_listtype")
            if rule.get(name) and rule[name] != "records"
            for key in ([key] if name == "content" else [f"{key}#plain"])
        }
        return cls(spec["gateway"], spec["root"], spec["elements"], models)

    @staticmethod
    def published(directory: Path = CONTRACT_DIR, complete: bool = True) -> list[dict]:
        """The vendor's envelopes carried with the contract (complete ones only by default)."""
        envelopes = json.loads((directory / "published-envelopes.json").read_text())["envelopes"]
        return [e for e in envelopes if not complete or not e["incomplete"]]

    # -- one response ----------------------------------------------------------------------------------

    def check(self, body: bytes) -> list[str]:
        try:
            root = _parse(body)
        except etree.XMLSyntaxError as exc:
            return [f"$: not well-formed XML ({exc})"]
        if root.tag != self.root:
            return [f"$: root element is <{root.tag}>, expected <{self.root}>"]
        problems: list[str] = []
        self._element(root, f"/{root.tag}", problems)
        problems += self._rules(root)
        return problems

    def _rule(self, element: etree._Element) -> tuple[str, dict]:
        """The rule for an element: 'parent/name' when the contract scopes it, else 'name'."""
        parent = element.getparent()
        scoped = f"{parent.tag}/{element.tag}" if parent is not None else element.tag
        key = scoped if scoped in self.elements else element.tag
        return key, self.elements.get(key, {})

    def _element(self, element: etree._Element, path: str, problems: list[str]) -> None:
        key, rule = self._rule(element)
        kids = _kids(element)
        self._attributes(element, rule, path, problems)
        if rule.get("content") == "records":
            self._data(element, rule, path, problems)
            return
        model = self.models.get(key)
        names = "".join(f"{kid.tag} " for kid in kids)
        if model is not None and not model.fullmatch(names):
            found = ", ".join(kid.tag for kid in kids) or "nothing"
            problems.append(f"{path}: children ({found}) do not match {rule.get('content')}")
        if model is None and kids:
            problems.append(f"{path}: undocumented children ({', '.join(k.tag for k in kids)}) in a text element")
        if kids and (element.text or "").strip():
            problems.append(f"{path}: text mixed with elements")
        if "values" in rule and (element.text or "").strip() not in rule["values"]:
            problems.append(f"{path}: value {element.text!r} not in {rule['values']}")
        if "pattern" in rule and not re.match(rule["pattern"], (element.text or "").strip()):
            problems.append(f"{path}: value {element.text!r} does not match {rule['pattern']}")
        for kid in kids:
            self._element(kid, f"{path}/{kid.tag}", problems)

    def _attributes(self, element: etree._Element, rule: dict, path: str, problems: list[str]) -> None:
        declared = rule.get("attributes", {})
        for name, value in element.attrib.items():
            if name not in declared:
                problems.append(f"{path}/@{name}: undocumented attribute")
            elif declared[name] == "integer" and not re.fullmatch(r"\d+", value):
                problems.append(f"{path}/@{name}: {value!r} is not a non-negative integer")

    def _data(self, element: etree._Element, rule: dict, path: str, problems: list[str]) -> None:
        kids = _kids(element)
        listtype = element.get("listtype")
        legacy = element.getprevious()
        if listtype is None and legacy is not None and legacy.tag == "listtype":
            for kid in kids:  # get_list: records named after the <listtype> text, lowercase fields
                if kid.tag != (legacy.text or "").strip():
                    problems.append(f"{path}/{kid.tag}: record named differently from listtype {legacy.text!r}")
            return
        if listtype is None:
            names = "".join(f"{kid.tag} " for kid in kids)
            if not self.models[f"{element.tag}#plain"].fullmatch(names):
                found = ", ".join(kid.tag for kid in kids) or "nothing"
                problems.append(f"{path}: children ({found}) do not match {rule['without_listtype']}")
            for kid in kids:
                self._element(kid, f"{path}/{kid.tag}", problems)
            return
        count = element.get("count")
        if count is not None and count.isdigit() and int(count) != len(kids):
            problems.append(f"{path}/@count: says {count}, holds {len(kids)} records")
        total = element.get("totalcount")
        if count and total and count.isdigit() and total.isdigit() and int(count) > int(total):
            problems.append(f"{path}/@totalcount: {total} is less than count {count}")
        for kid in kids:
            if listtype == "objects" and kid.tag != kid.tag.lower():
                problems.append(f"{path}/{kid.tag}: records of listtype 'objects' are lowercase")
            elif listtype != "objects" and kid.tag != listtype:
                problems.append(f"{path}/{kid.tag}: record named differently from listtype '{listtype}'")
            self._fields(kid, f"{path}/{kid.tag}", problems)

    def _fields(self, record: etree._Element, path: str, problems: list[str]) -> None:
        for field in _kids(record):
            if field.tag != field.tag.upper():
                problems.append(f"{path}/{field.tag}: record fields are UPPERCASE")

    # -- consistency between statuses and error blocks --------------------------------------------------

    def _rules(self, root: etree._Element) -> list[str]:
        problems = []
        failed = root.findtext("control/status") == "failure"
        if failed != (root.find("errormessage") is not None):
            problems.append("/response: control/status and a control-level errormessage disagree")
        operation = root.find("operation")
        if operation is not None:
            auth_failed = operation.findtext("authentication/status") == "failure"
            if auth_failed != (operation.find("errormessage") is not None):
                problems.append("/response/operation: authentication/status and its errormessage disagree")
        for index, result in enumerate(root.findall("operation/result"), start=1):
            problems += _result_rules(result, f"/response/operation/result[{index}]")
        return problems


def _result_rules(result: etree._Element, path: str) -> list[str]:
    status, errors = result.findtext("status"), result.find("errormessage")
    if status in ("failure", "aborted") and errors is None:
        return [f"{path}: status {status} without errormessage"]
    if status == "success" and errors is not None:
        return [f"{path}: status success with an errormessage"]
    numbers = [e.findtext("errorno") for e in result.findall("errormessage/error")]
    if status == "aborted" and (not numbers or numbers[-1] != ROLLED_BACK):
        return [f"{path}: an aborted result must end with {ROLLED_BACK}"]
    return []
