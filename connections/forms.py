"""The connection form, built from the system's registry entry.

Configuration fields are ordinary inputs. Secret fields are write-only: the stored value is never rendered back
into the page, and leaving a secret blank keeps what is stored.
"""

from django import forms

from .addresses import check_addresses, url_fields
from .models import Connection
from .registry import get_system

SECRET_PREFIX = "secret__"
CONFIG_PREFIX = "config__"


def _form_field(spec, secret: bool, has_stored: bool = False):
    help_text = spec.help_text
    if secret:
        help_text = (help_text + " " if help_text else "") + (
            "A value is stored; leave blank to keep it." if has_stored else "Not set."
        )
        return forms.CharField(
            label=spec.label,
            help_text=help_text,
            required=False,
            strip=True,
            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        )
    if spec.kind == "choice":
        return forms.ChoiceField(
            label=spec.label,
            help_text=help_text,
            required=spec.required,
            choices=[("", "---------")] + [(c, c) for c in spec.choices],
        )
    return forms.CharField(label=spec.label, help_text=help_text, required=spec.required and not spec.default)


class ConnectionForm(forms.ModelForm):
    """Admin form for a connection of one system (`system` is fixed before the form is built)."""

    class Meta:
        model = Connection
        fields = ["tenant", "name", "environment", "status", "status_reason"]

    def __init__(self, *args, system: str, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.system_spec = get_system(system)
        self.instance.system = system
        stored_settings = self.instance.settings or {}
        stored_secrets = self.instance.secrets or {} if self.instance.pk else {}
        for spec in self.system_spec.config_fields:
            self.fields[CONFIG_PREFIX + spec.name] = _form_field(spec, secret=False)
            self.initial.setdefault(CONFIG_PREFIX + spec.name, stored_settings.get(spec.name, ""))
        for spec in self.system_spec.secret_fields:
            self.fields[SECRET_PREFIX + spec.name] = _form_field(
                spec, secret=True, has_stored=bool(stored_secrets.get(spec.name))
            )

    def config_field_names(self):
        return [CONFIG_PREFIX + spec.name for spec in self.system_spec.config_fields]

    def secret_field_names(self):
        return [SECRET_PREFIX + spec.name for spec in self.system_spec.secret_fields]

    def clean(self):
        cleaned = super().clean()
        raw_config = {spec.name: cleaned.get(CONFIG_PREFIX + spec.name) for spec in self.system_spec.config_fields}
        try:
            self._config = self.system_spec.clean_config(raw_config)
            self.instance.settings = self._config
        except forms.ValidationError as exc:
            for name, messages in exc.message_dict.items():
                target = CONFIG_PREFIX + name if name != "__all__" else None
                for message in messages:
                    self.add_error(target, message)
        self._moved = self._address_changed(cleaned)
        try:
            check_addresses(self.system_spec, getattr(self, "_config", {}), cleaned.get("environment"), self.user)
        except forms.ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(CONFIG_PREFIX + name if name != "environment" else "environment", message)
        # Credentials go to a new address only when a person types them for it: stored ones are not carried over.
        secrets = dict(self.instance.secrets or {}) if self.instance.pk and not self._moved else {}
        for spec in self.system_spec.secret_fields:
            value = cleaned.get(SECRET_PREFIX + spec.name)
            if value:
                secrets[spec.name] = value
        for label in self.system_spec.missing_secrets(secrets):
            reason = " (the connection's address changed: enter its credentials again)" if self._moved else ""
            self.add_error(None, f"{label} is required{reason}.")
        self._secrets = secrets
        return cleaned

    def _address_changed(self, cleaned) -> bool:
        if not self.instance.pk:
            return False
        stored = Connection.objects.filter(pk=self.instance.pk).values("settings", "environment").first() or {}
        before, after = stored.get("settings") or {}, getattr(self, "_config", {}) or {}
        if stored.get("environment") != cleaned.get("environment"):
            return True
        return any((before.get(name) or "") != (after.get(name) or "") for name in url_fields(self.system_spec))

    def save(self, commit=True):
        connection = super().save(commit=False)
        connection.system = self.system_spec.key
        connection.settings = self._config
        if connection.secrets != self._secrets or self._moved:
            connection.secrets = self._secrets
            # New credentials invalidate any cached token obtained with the old ones.
            connection.token_state = {}
            connection.token_expires_at = None
        if commit:
            connection.save()
        return connection
