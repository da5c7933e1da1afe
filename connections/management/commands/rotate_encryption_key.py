"""Re-encrypt every stored secret with the newest FIELD_ENCRYPTION_KEY.

Put the new key first in FIELD_ENCRYPTION_KEY, keep the old ones after it, run this command, then drop the old
keys. Rows are rewritten in small committed batches, each with a conditional update, so the command can be
interrupted and run again: rows already readable with the newest key alone are skipped.
"""

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from connections.crypto import StrictEncryptedTextField, crypter, newest_key

BATCH_SIZE = 200


def encrypted_columns():
    """(model, field) for every encrypted field of every installed model."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, StrictEncryptedTextField):
                yield model, field


class Command(BaseCommand):
    help = "Re-encrypt every secret with the first (newest) key in FIELD_ENCRYPTION_KEY."

    def handle(self, *args, **options):
        rewritten = current = 0
        for model, field in encrypted_columns():
            done, skipped = self.rotate_column(model, field)
            rewritten += done
            current += skipped
            self.stdout.write(f"{model._meta.label}.{field.name}: rewrote {done}, already current {skipped}")
        self.stdout.write(self.style.SUCCESS(f"Rewrote {rewritten} values; {current} were already current."))

    def rotate_column(self, model, field):
        table = connection.ops.quote_name(model._meta.db_table)
        column = connection.ops.quote_name(field.column)
        pk = connection.ops.quote_name(model._meta.pk.column)
        newest, every_key = newest_key(), crypter()
        rewritten = skipped = 0
        last_pk = None
        while True:
            rows = self._batch(table, pk, column, last_pk)
            if not rows:
                return rewritten, skipped
            with transaction.atomic():
                with connection.cursor() as cursor:
                    for row_pk, token in rows:
                        last_pk = row_pk
                        if token is None or self._readable(newest, token):
                            skipped += 1
                            continue
                        try:
                            rotated = every_key.rotate(token.encode("ascii")).decode("ascii")
                        except InvalidToken as exc:
                            raise CommandError(
                                f"{model._meta.label} {row_pk}: {field.name} cannot be decrypted with any configured "
                                "key. Add the key it was written with to FIELD_ENCRYPTION_KEY and run again."
                            ) from exc
                        # Conditional: a value changed meanwhile by the application is left as it is (it is
                        # already encrypted with the newest key).
                        cursor.execute(
                            f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s",
                            [rotated, row_pk, token],
                        )
                        rewritten += cursor.rowcount

    @staticmethod
    def _readable(fernet, token: str) -> bool:
        try:
            fernet.decrypt(token.encode("ascii"))
            return True
        except InvalidToken:
            return False

    @staticmethod
    def _batch(table, pk, column, last_pk):
        with connection.cursor() as cursor:
            if last_pk is None:
                cursor.execute(f"SELECT {pk}, {column} FROM {table} ORDER BY {pk} LIMIT %s", [BATCH_SIZE])
            else:
                cursor.execute(
                    f"SELECT {pk}, {column} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s",
                    [last_pk, BATCH_SIZE],
                )
            return cursor.fetchall()
