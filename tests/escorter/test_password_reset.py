"""'Mot de passe oublié': a French e-mail with a one-time link, the same answer for unknown addresses."""

import re

import pytest
from django.core import mail

from tests.factories import make_user


@pytest.mark.django_db
def test_known_and_unknown_addresses_get_the_same_answer(client):
    make_user("secretary", username="sophie", email="sophie@cpts.fr")
    known = client.post("/mot-de-passe-oublie/", {"email": "Sophie@cpts.fr"})
    unknown = client.post("/mot-de-passe-oublie/", {"email": "personne@cpts.fr"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/mot-de-passe-oublie/envoye/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sophie@cpts.fr"]
    page = client.get("/mot-de-passe-oublie/envoye/").content.decode()
    assert "Si un compte correspond à cette adresse" in page


@pytest.mark.django_db
def test_the_link_sets_a_new_password_once(client):
    make_user("secretary", username="sophie", email="sophie@cpts.fr")
    client.post("/mot-de-passe-oublie/", {"email": "sophie@cpts.fr"})
    message = mail.outbox[0]
    assert "réinitialisation" in message.subject and "Bonjour" in message.body
    link = re.search(r"https?://[^/]+(/mot-de-passe-oublie/[^\s]+)", message.body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    refused = client.post(form_url, {"new_password1": "Motdepasse1", "new_password2": "Motdepasse1"})
    assert "trop courant" in refused.content.decode()
    done = client.post(form_url, {"new_password1": "Goéland-Marée-85", "new_password2": "Goéland-Marée-85"})
    assert done["Location"] == "/mot-de-passe-oublie/termine/"
    assert "Lien expiré ou déjà utilisé" in client.get(link, follow=True).content.decode()
    login = client.post("/connexion/", {"username": "sophie", "password": "Goéland-Marée-85"})
    assert login.status_code == 302 and client.get("/").status_code == 200


@pytest.mark.django_db
def test_the_login_page_links_to_the_reset(client):
    assert 'href="/mot-de-passe-oublie/"' in client.get("/connexion/").content.decode()
