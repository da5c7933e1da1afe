"""Secrets are encrypted at rest, a wrong key fails loudly, and key rotation keeps every secret readable."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection as db
from django.test import override_settings

from connections.apps import check_encryption_keys
from connections.crypto import SecretDecryptionError, verify_keys_can_read_canary
from connections.models import Connection

CANARY = "CANARY-7f3c9e-client-secret"
TEST_KEY = "bq6HgjHcVFCF5VPiWYk7AqEKFEm7j7S1b8n1Ff6mK0E="


def raw_column(connection_id, column="secrets"):
    with db.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM connections_connection WHERE id = %s", [connection_id])
        return cursor.fetchone()[0]


@pytest.fixture
def stored(tenant_a, make_connection):
    verify_keys_can_read_canary(create_if_missing=True)
    return make_connection(tenant_a, secrets={"client_id": "cid-1234", "client_secret": CANARY})


def test_secrets_are_encrypted_at_rest_and_read_back(stored):
    assert CANARY not in raw_column(stored.pk)
    assert Connection.objects.get(pk=stored.pk).secrets["client_secret"] == CANARY


def test_repr_of_secrets_and_connection_masks_values(stored):
    loaded = Connection.objects.get(pk=stored.pk)
    assert CANARY not in repr(loaded.secrets)
    assert CANARY not in repr(loaded)
    assert "client_secret" in repr(loaded.secrets)


def test_wrong_key_raises_on_read_and_at_start_and_never_saves(stored):
    before = raw_column(stored.pk)
    with override_settings(FIELD_ENCRYPTION_KEY=[Fernet.generate_key().decode()]):
        with pytest.raises(SecretDecryptionError):
            Connection.objects.get(pk=stored.pk)
        with pytest.raises(SecretDecryptionError):
            verify_keys_can_read_canary()
        errors = check_encryption_keys()
        assert [e.id for e in errors] == ["connections.E001"]
    # Nothing was rewritten with the wrong key: the stored value is untouched and still readable.
    assert raw_column(stored.pk) == before
    assert Connection.objects.get(pk=stored.pk).secrets["client_secret"] == CANARY


def test_a_secret_that_looks_like_ciphertext_is_not_decrypted_on_save(tenant_a, make_connection):
    token = Fernet(TEST_KEY).encrypt(b"inner").decode()
    conn = make_connection(tenant_a, secrets={"client_id": token, "client_secret": "x"})
    assert Connection.objects.get(pk=conn.pk).secrets["client_id"] == token


def test_rotation_rewrites_every_secret_and_the_new_key_alone_reads_them(
    stored, tenant_a, make_connection, capsys
):
    stored.token_state = {"access_token": "tok-abcdef"}
    stored.save()
    other = make_connection(tenant_a, name="second", secrets={"client_id": "a", "client_secret": "b-secret"})
    new_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEY=[new_key, TEST_KEY]):
        call_command("rotate_encryption_key")
        out = capsys.readouterr().out
        # canary + 2 connections x (secrets, token_state)
        assert "Rewrote 5 values" in out
        call_command("rotate_encryption_key")
        assert "Rewrote 0 values" in capsys.readouterr().out  # resumable: nothing left to do
    with override_settings(FIELD_ENCRYPTION_KEY=[new_key]):
        verify_keys_can_read_canary()
        assert Connection.objects.get(pk=stored.pk).secrets["client_secret"] == CANARY
        assert Connection.objects.get(pk=stored.pk).token_state["access_token"] == "tok-abcdef"
        assert Connection.objects.get(pk=other.pk).secrets["client_secret"] == "b-secret"
    with override_settings(FIELD_ENCRYPTION_KEY=[TEST_KEY]):
        with pytest.raises(SecretDecryptionError):
            Connection.objects.get(pk=stored.pk)


def test_interrupted_rotation_resumes(stored, tenant_a, make_connection, capsys):
    from connections.management.commands import rotate_encryption_key as rotation

    for index in range(5):
        make_connection(tenant_a, name=f"c{index}")
    new_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEY=[new_key, TEST_KEY]):
        original, rotation.BATCH_SIZE = rotation.BATCH_SIZE, 2
        calls = {"n": 0}
        original_batch = rotation.Command._batch

        def failing_batch(*args):
            calls["n"] += 1
            if calls["n"] == 3:
                raise KeyboardInterrupt
            return original_batch(*args)

        try:
            rotation.Command._batch = staticmethod(failing_batch)
            with pytest.raises(KeyboardInterrupt):
                call_command("rotate_encryption_key")
        finally:
            rotation.Command._batch = staticmethod(original_batch)
            rotation.BATCH_SIZE = original
        capsys.readouterr()
        call_command("rotate_encryption_key")
        out = capsys.readouterr().out
        assert "Rewrote" in out and "already current" in out
    with override_settings(FIELD_ENCRYPTION_KEY=[new_key]):
        assert all(c.secrets for c in Connection.objects.all())
