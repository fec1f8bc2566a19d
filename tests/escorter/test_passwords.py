"""French common passwords are refused on top of Django's English list."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from escorter.validators import is_common_french_password


@pytest.mark.parametrize(
    "password",
    ["Motdepasse1", "azertyA1", "MOTDEPASSE-2024", "M0td3p@sse!", "Marseille13!", "Soleil2026!", "Br3tagne!!"]
    + ["Médecin85!"],
)
def test_common_french_passwords_and_their_variants_are_refused(password):
    with pytest.raises(ValidationError, match="trop courant"):
        validate_password(password)


@pytest.mark.parametrize("password", ["Soleil-Couchant-2026", "Chaussures-Rouges-44", "Kq7#pLm2x", "Vendee-85230"])
def test_passwords_that_merely_contain_a_common_word_are_accepted(password):
    assert not is_common_french_password(password)
    validate_password(password)


def test_the_vendored_list_is_loaded_whole():
    from escorter.validators import _french_lists

    entries, words = _french_lists()
    assert len(entries) >= 1000 and {"motdepasse", "azerty", "marseille", "doudou"} <= entries
    assert all(len(word) >= 4 and word.isalpha() for word in words)
