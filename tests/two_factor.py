"""Two-factor sign-in in tests: an authenticator app's current code, computed here."""

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the app shows now (``steps_ahead`` 30-second steps later: a device takes
    each step's code once, so a second sign-in in the same step needs the next one; the
    device accepts one step of drift)."""
    code = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead
    )
    return f"{code:06d}"


def enrol(user) -> TOTPDevice:
    """A confirmed authenticator-app device for ``user``."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
