"""Encryption at rest for secrets, built on django-encrypted-model-fields.

The library, as shipped, returns the ciphertext as if it were the value when decryption fails, and saving that
value then encrypts it twice: a wrong key silently corrupts every secret. Our fields raise instead, and
`verify_keys_can_read_canary` checks at start that the configured keys can read what is stored.
"""

import functools
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from encrypted_model_fields.fields import EncryptedTextField

from .redaction import SecretDict, is_sensitive_name, register_secret

CANARY_PLAINTEXT = "ml-connector encryption canary"


class SecretDecryptionError(ImproperlyConfigured):
    """A stored secret cannot be decrypted with any configured FIELD_ENCRYPTION_KEY."""


def configured_keys() -> tuple[str, ...]:
    keys = settings.FIELD_ENCRYPTION_KEY
    return tuple([keys] if isinstance(keys, str) else keys)


@functools.lru_cache(maxsize=8)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def crypter() -> MultiFernet:
    """All configured keys; the first (newest) encrypts."""
    return _multifernet(configured_keys())


def newest_key() -> Fernet:
    return Fernet(configured_keys()[0])


def encrypt_text(plaintext: str) -> str:
    return crypter().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    try:
        return crypter().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise SecretDecryptionError(
            "A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEY. The key is wrong, or an old key was "
            "removed before `manage.py rotate_encryption_key` ran: put the old key back after the new one."
        ) from exc


class StrictEncryptedTextField(EncryptedTextField):
    """An encrypted text field that raises on a value it cannot decrypt, instead of passing the ciphertext on."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt_text(value)

    def to_python(self, value):
        # Values reaching to_python come from forms or code and are plaintext; never try to decrypt them.
        return value

    def get_db_prep_save(self, value, connection):
        if value is None:
            return None
        return encrypt_text(str(value))


class EncryptedJSONField(StrictEncryptedTextField):
    """A dict (or list) stored as encrypted JSON. Loaded dicts are `SecretDict`s, so their repr masks values."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        data = json.loads(decrypt_text(value))
        if isinstance(data, dict):
            # Only credentials are masked in logs; user names and client ids are identifiers, and masking them
            # would damage every log line and payload that happens to contain the same word.
            for key, item in data.items():
                if is_sensitive_name(key):
                    register_secret(item)
            return SecretDict(data)
        return data

    def get_db_prep_save(self, value, connection):
        if value is None:
            return None
        return encrypt_text(json.dumps(value, sort_keys=True, default=str))


def verify_keys_can_read_canary(create_if_missing: bool = True) -> None:
    """Raise SecretDecryptionError unless the configured keys can read the stored canary.

    The canary is written with the key in force when the database was first migrated; if no key configured now
    can read it, none of the stored secrets can be read either.
    """
    from .models import EncryptionCanary

    try:
        canary = EncryptionCanary.objects.filter(pk=1).first()
    except DatabaseError:
        return  # not migrated yet: nothing stored that could be unreadable
    if canary is None:
        if create_if_missing:
            EncryptionCanary.objects.get_or_create(pk=1, defaults={"value": CANARY_PLAINTEXT})
        return
    if canary.value != CANARY_PLAINTEXT:
        raise SecretDecryptionError("The encryption canary decrypted to an unexpected value; refusing to start.")
