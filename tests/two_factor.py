"""Two-factor sign-in in tests: an authenticator app's current code, computed here."""

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the app shows now (``steps_ahead`` 30-second steps later: a device takes
    each step's code once, so a second sign-in in the same step needs the next one; the
    device accepts one step of drift). The device's own ``drift`` counts too: a code
    accepted a step late or early moves the window the device checks (django-otp), so
    a code that ignored it failed when an earlier sign-in crossed a 30-second boundary.
    Pass a device fresh from the database."""
    code = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=device.drift + steps_ahead,
    )
    return f"{code:06d}"


def enrol(user) -> TOTPDevice:
    """A confirmed authenticator-app device for ``user``."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def mark_verified(client, user) -> None:
    """After ``client.force_login(user)``: the session has given its second factor too
    (what the code step of the login page does), for a user who must use one."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from casemgmt.accounts.selectors import two_factor_required

    if not two_factor_required(user=user):
        return
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
