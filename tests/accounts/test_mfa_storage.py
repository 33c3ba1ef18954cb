import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from coachos.accounts.mfa import MFAAdapter

pytestmark = pytest.mark.django_db


def test_totp_secret_is_stored_encrypted_and_still_verifies(owner):
    secret = pyotp.random_base32()
    authenticator = TOTP.activate(owner, secret).instance
    stored = Authenticator.objects.get(pk=authenticator.pk).data["secret"]
    assert secret not in stored
    assert stored.startswith("fernet:")
    assert MFAAdapter().decrypt(stored) == secret
    assert TOTP(Authenticator.objects.get(pk=authenticator.pk)).validate_code(pyotp.TOTP(secret).now())


def test_secrets_written_before_encryption_still_read():
    assert MFAAdapter().decrypt("JBSWY3DPEHPK3PXP") == "JBSWY3DPEHPK3PXP"
