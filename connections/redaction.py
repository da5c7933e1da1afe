"""Keeping secrets out of logs, error reports and reprs.

Two complementary nets: every credential decrypted in this process (passwords, client secrets, tokens; never user
names or client ids) is remembered and masked where it appears as a whole token in a log line, and well-known
credential shapes (Authorization headers, `password=`, `client_secret`, tokens in query strings or JSON) are masked
even when we never saw the value. Stored payloads are redacted by key and by exact value only, so a business
text that happens to contain a credential's letters is kept as it was sent.
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
        re.compile(r"(?i)\b([\w-]*(?:pass(?:word)?|secret|token|api_?key|assertion|sessionid)[\w-]*=)[^&\s'\"]+"),
        r"\1" + MASK,
    ),
    # an OAuth authorization code in a callback query (`code=`, not `cost_code=`)
    (re.compile(r"(?i)((?:^|[?&\s])code=)[^&\s'\"]+"), r"\1" + MASK),
    # "key": "value" in JSON
    (
        re.compile(r"(?i)(\"[\w-]*(?:pass(?:word)?|secret|token|api_?key|assertion|sessionid)[\w-]*\"\s*:\s*\")[^\"]*"),
        r"\1" + MASK,
    ),
    # <password>value</password> and friends in XML
    (re.compile(r"(?i)(<(password|sessionid|userpassword)>)[^<]*(</\2>)"), r"\1" + MASK + r"\3"),
]


def is_sensitive_name(name) -> bool:
    """Whether a field of this name holds a credential (password, secret, token...)."""
    return isinstance(name, str) and bool(SENSITIVE_NAMES.search(name))


def _token_pattern(secret: str) -> re.Pattern:
    """The secret as a whole token: not preceded or followed by characters a token could continue with."""
    return re.compile(r"(?<![\w\-.~+/=])" + re.escape(secret) + r"(?![\w\-.~+/=])")


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
            text = _token_pattern(secret).sub(MASK, text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_mapping(data):
    """A copy of a (nested) dict/list with values under credential keys, and values equal to a credential, masked.

    Other strings are kept exactly as they are: this is the stored copy of what was sent.
    """
    if isinstance(data, dict):
        return {
            key: (MASK if is_sensitive_name(key) and value else redact_mapping(value)) for key, value in data.items()
        }
    if isinstance(data, list):
        return [redact_mapping(item) for item in data]
    if isinstance(data, str):
        with _lock:
            known = data in _known_secrets
        return MASK if known else data
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
