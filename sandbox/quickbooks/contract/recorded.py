"""Rebuild ``recorded/*.json`` from the VCR cassettes of real QuickBooks sandbox calls (see SOURCE.md).

    python3 sandbox/quickbooks/contract/recorded.py <folder qbo_api-vcr>

Needs PyYAML (a one-off tool; the project does not import it). Keeps per interaction: the cassette, method,
path below ``/v3/`` (query string included), status, content type, whether ``Intuit-Tid`` was sent, and the
parsed JSON body, whole.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import unquote

import yaml

CASSETTES = (
    "all/vendors_by_5",
    "all/alt_select",
    "get/id",
    "get/display_name",
    "create/customer",
    "update/customer",
    "deactivate/account",
    "delete/invoice",
    "void/invoice",
    "cdc/basic",
    "batch/basic",
    "error/400",
    "error/400_json",
    "error/401",
    "error/500",
    "error/validation",
)


def interaction(name: str, raw: dict) -> dict:
    request, response = raw["request"], raw["response"]
    headers = response["headers"]
    text = response["body"].get("string") or ""
    return {
        "cassette": name,
        "method": request["method"].upper(),
        "path": unquote(request["uri"].split("/v3/", 1)[1]),
        "status": response["status"]["code"],
        "content_type": headers.get("Content-Type", [""])[0],
        "intuit_tid": "Intuit-Tid" in headers,
        "body": json.loads(text) if text.strip() else None,
    }


def main(argv: list[str]) -> None:
    folder, target = Path(argv[1]), Path(__file__).with_name("recorded")
    target.mkdir(exist_ok=True)
    for name in CASSETTES:
        cassette = yaml.safe_load((folder / f"{name}.yml").read_text())
        items = [interaction(name, raw) for raw in cassette["http_interactions"]]
        out = target / (name.replace("/", "__") + ".json")
        out.write_text(json.dumps(items, indent=1) + "\n")
        print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv)
