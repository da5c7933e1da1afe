"""Exact answers XML (Atom) unless the client sends ``Accept: application/json``.

Only the shape matters to a JSON client: it must notice it did not get JSON. Rows become Atom entries
with ``m:properties``; nested collections and deferred links are left out.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from ..core.http import Response

HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<feed xmlns="http://www.w3.org/2005/Atom" '
    'xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" '
    'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">'
)


def _entry(row: dict) -> str:
    props = []
    for name, value in row.items():
        if name == "__metadata" or isinstance(value, dict):
            continue
        if value is None:
            props.append(f'<d:{name} m:null="true" />')
        else:
            text = str(value).lower() if isinstance(value, bool) else str(value)
            props.append(f"<d:{name}>{escape(text)}</d:{name}>")
    uri = escape(row.get("__metadata", {}).get("uri", ""))
    body = f'<content type="application/xml"><m:properties>{"".join(props)}</m:properties></content>'
    return f"<entry><id>{uri}</id>{body}</entry>"


def atom_response(envelope: dict) -> Response:
    data = envelope["d"]
    rows = data.get("results") if isinstance(data.get("results"), list) else [data]
    parts = [HEAD, *(_entry(row) for row in rows)]
    if data.get("__next"):
        parts.append(f'<link rel="next" href={quoteattr(data["__next"])} />')
    parts.append("</feed>")
    return Response(200, "".join(parts).encode(), [("Content-Type", "application/atom+xml;type=feed;charset=utf-8")])
