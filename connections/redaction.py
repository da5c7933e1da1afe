"""Keeping secrets out of logs, error reports and reprs.

Two complementary nets: every secret value that is decrypted in this process is remembered and masked wherever
it appears in a log line, and well-known credential shapes (Authorization headers, `password=`, `client_secret`,
tokens in query strings or JSON) are masked even when we never saw the value.
"""

import logging
import re
import threading

MASK = "***"
_MIN_SECRET_LENGTH = 4
_known_secrets: set[str] = set()
_lock = threading.Lock()

SENSITIVE_NAMES = re.compile(
    r"(pass(word)?|secret|token|api[_-]?key|authorization|cookie|assertion|signature|sessionid|hash_?code)",
    re.IGNORECASE,
)
_PATTERNS = [
    # Authorization: Bearer xyz / Basic xyz
    (re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(bearer|basic)?\s*[^\s'\",}]+"), r"\1\2 " + MASK),
    # key=value in query strings and form bodies
    (
        re.compile(r"(?i)\b([\w-]*(?:pass(?:word)?|secret|token|api_?key|assertion|code|sessionid)[\w-]*=)[^&\s'\"]+"),
        r"\1" + MASK,
    ),
    # "key": "value" in JSON
    (
        re.compile(r"(?i)(\"[\w-]*(?:pass(?:word)?|secret|token|api_?key|assertion|sessionid)[\w-]*\"\s*:\s*\")[^\"]*"),
        r"\1" + MASK,
    ),
    # <password>value</password> and friends in XML
    (re.compile(r"(?i)(<(password|sessionid|userpassword)>)[^<]*(</\2>)"), r"\1" + MASK + r"\3"),
]


def register_secret(value) -> None:
    """Remember a secret so that any later log line containing it is masked."""
    if isinstance(value, str) and len(value) >= _MIN_SECRET_LENGTH:
        with _lock:
            _known_secrets.add(value)


def redact(text: str) -> str:
    """Mask known secret values and credential-shaped substrings in `text`."""
    if not text:
        return text
    with _lock:
        secrets = sorted(_known_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_mapping(data):
    """A copy of a (nested) dict/list with values under sensitive-looking keys masked."""
    if isinstance(data, dict):
        return {
            key: (MASK if isinstance(key, str) and SENSITIVE_NAMES.search(key) and value else redact_mapping(value))
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [redact_mapping(item) for item in data]
    if isinstance(data, str):
        return redact(data)
    return data


class RedactingFilter(logging.Filter):
    """Logging filter that renders the message once and masks secrets in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the line
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class SecretDict(dict):
    """A dict of secrets whose repr never shows a value."""

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{key!r}: '{MASK}'" for key in self) + "}"

    __str__ = __repr__
