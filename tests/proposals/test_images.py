"""Pictures on proposals: checked by content, re-encoded without metadata, served with safe headers."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from pbvote.auth.models import Role
from pbvote.extensions import db
from pbvote.processes.models import Phase
from pbvote.proposals import images
from pbvote.proposals.models import Proposal, ProposalImage
from tests.builders import login, make_budget, make_process, make_proposal, make_user
from tests.proposals.helpers import counts, form_data, new_url, picture, png_claiming, upload

NOT_AN_IMAGE = "Filen er ikke et billede, vi kan bruge. Upload et billede i JPEG, PNG eller WebP."
TOO_MANY_PIXELS = "Billedet har for mange pixels. Brug et billede på højst 40 megapixel."
TOO_LARGE = "Billedet er for stort. Hvert billede må højst fylde 5 MB."


@pytest.fixture
def process() -> Any:
    process = make_process(phase=Phase.PROPOSALS)
    make_budget(process)
    return process


def submit(client: FlaskClient, process: Any, **fields: Any) -> Any:
    data = form_data(process.budgets[0], **fields)
    return client.post(new_url(process), data=data, content_type="multipart/form-data")


def stored_images() -> list[ProposalImage]:
    return list(db.session.scalars(select(ProposalImage).order_by(ProposalImage.position)))


def opened(image: ProposalImage) -> Image.Image:
    return Image.open(io.BytesIO(image.data))


@pytest.mark.parametrize(
    ("fmt", "mode", "stored_as"),
    [("JPEG", "RGB", "JPEG"), ("PNG", "RGB", "JPEG"), ("WEBP", "RGB", "JPEG"), ("PNG", "RGBA", "PNG")],
)
def test_image_of_each_accepted_type_is_reencoded(
    client: FlaskClient, process: Any, fmt: str, mode: str, stored_as: str
) -> None:
    login(client, make_user())
    response = submit(client, process, image_1=upload(picture(fmt, mode=mode)), alt_1="Et rødt felt")
    assert response.status_code == 302
    [image] = stored_images()
    assert opened(image).format == stored_as
    assert image.mime_type == {"JPEG": "image/jpeg", "PNG": "image/png"}[stored_as]
    assert (image.width, image.height) == (40, 30) and image.alt_text == "Et rødt felt"
    assert len(image.token) == 32


def test_image_metadata_is_stripped_and_the_picture_turned_upright(client: FlaskClient, process: Any) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was held on its side
    exif[0x010F] = "Telefonfabrikken"  # make
    original = picture("JPEG", size=(60, 20), exif=exif.tobytes())
    assert Image.open(io.BytesIO(original)).getexif()[0x0112] == 6
    login(client, make_user())
    assert submit(client, process, image_1=upload(original, "foto.jpg"), alt_1="Sø").status_code == 302
    [image] = stored_images()
    stored = opened(image)
    assert stored.size == (20, 60) == (image.width, image.height)
    assert dict(stored.getexif()) == {}
    assert b"Telefonfabrikken" not in image.data and b"Exif" not in image.data


def test_large_images_are_scaled_down_to_1600_pixels(client: FlaskClient, process: Any) -> None:
    login(client, make_user())
    big = picture("PNG", size=(3200, 800))
    assert submit(client, process, image_1=upload(big), alt_1="Panorama").status_code == 302
    [image] = stored_images()
    assert opened(image).size == (1600, 400) == (image.width, image.height)


def test_up_to_three_images_keep_their_order(client: FlaskClient, process: Any) -> None:
    login(client, make_user())
    fields = {}
    for slot in (1, 2, 3):
        fields[f"image_{slot}"] = upload(picture("PNG", size=(10 * slot, 10)))
        fields[f"alt_{slot}"] = f"Billede {slot}"
    assert submit(client, process, **fields).status_code == 302
    assert [(i.position, i.width, i.alt_text) for i in stored_images()] == [
        (0, 10, "Billede 1"),
        (1, 20, "Billede 2"),
        (2, 30, "Billede 3"),
    ]


def noisy_png(side: int) -> bytes:
    """A PNG that cannot be compressed: random pixels, stored without compression."""
    import os

    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG", compress_level=0)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Hej, jeg er bare tekst og slet ikke et billede.\n" * 20, NOT_AN_IMAGE),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", NOT_AN_IMAGE),
        (b"<html><script>alert(1)</script></html>", NOT_AN_IMAGE),
        (picture("GIF"), NOT_AN_IMAGE),
        (picture("BMP"), NOT_AN_IMAGE),
        (picture("PNG")[:60], NOT_AN_IMAGE),  # truncated
        (png_claiming(100_000, 100_000), TOO_MANY_PIXELS),  # Pillow's own bomb check
        (png_claiming(8_000, 6_000), TOO_MANY_PIXELS),  # 48 megapixels: under Pillow's limit, over ours
        (png_claiming(0, 10), NOT_AN_IMAGE),
    ],
    ids=["text", "svg", "html", "gif", "bmp", "truncated", "bomb", "48mp", "zero-width"],
)
def test_bad_images_are_refused_in_danish_and_nothing_is_written(
    client: FlaskClient, process: Any, data: bytes, message: str
) -> None:
    login(client, make_user())
    response = submit(client, process, image_1=upload(data, "billede.jpg"), alt_1="Noget")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts() == {"Proposal": 0, "ProposalEvent": 0, "ProposalFollower": 0, "ProposalImage": 0}


def test_an_oversized_image_is_refused(client: FlaskClient, process: Any) -> None:
    data = noisy_png(1400)
    assert len(data) > images.MAX_UPLOAD_BYTES
    login(client, make_user())
    # built in memory: for a body this large the test client spools a temporary file it never closes
    fields = form_data(process.budgets[0], alt_1="Støj")
    fields["image_1"] = FileStorage(io.BytesIO(data), filename="stor.png", content_type="image/png")
    boundary, body = encode_multipart(fields)
    response = client.post(
        new_url(process), data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 422
    assert TOO_LARGE in response.get_data(as_text=True)
    assert counts()["ProposalImage"] == 0


@pytest.mark.parametrize("side", [40, 100])  # 1,600 px: Pillow warns; 10,000 px: Pillow raises
def test_pillows_decompression_bomb_guard_becomes_a_form_error(
    client: FlaskClient, process: Any, monkeypatch: pytest.MonkeyPatch, side: int
) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    login(client, make_user())
    response = submit(client, process, image_1=upload(picture("PNG", size=(side, side))), alt_1="Bombe")
    assert response.status_code == 422
    assert TOO_MANY_PIXELS in response.get_data(as_text=True)
    assert counts()["Proposal"] == 0


def test_an_image_needs_a_description(client: FlaskClient, process: Any) -> None:
    login(client, make_user())
    response = submit(client, process, image_1=upload(picture("PNG")), alt_1="  ")
    assert response.status_code == 422
    assert "Beskriv billedet for dem, der ikke kan se det." in response.get_data(as_text=True)
    assert counts()["Proposal"] == 0


def test_a_request_over_the_size_limit_gets_a_page_not_a_crash(app_with: Callable[..., Flask]) -> None:
    client = app_with(MAX_CONTENT_LENGTH=1024).test_client()
    process = make_process()
    budget = make_budget(process)
    login(client, make_user())
    data = form_data(budget, image_1=upload(picture("PNG", size=(200, 200)) + b"\0" * 2048), alt_1="x")
    response = client.post(new_url(process), data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Det, du sendte, er større end vi tager imod." in response.get_data(as_text=True)
    assert counts()["Proposal"] == 0


def test_edit_removes_and_adds_images_within_the_limit(client: FlaskClient, process: Any) -> None:
    author = make_user()
    login(client, author)
    fields = {f"image_{n}": upload(picture("PNG", size=(10 * n, 10))) for n in (1, 2, 3)}
    fields.update({f"alt_{n}": f"Billede {n}" for n in (1, 2, 3)})
    assert submit(client, process, **fields).status_code == 302
    proposal = db.session.scalar(select(Proposal))
    first, second, _third = (image.token for image in stored_images())
    url = f"/forslag/{proposal.id}/rediger"
    form = client.get(url).get_data(as_text=True)
    assert f'value="{first}"' in form and "Fjern billede 2" in form

    too_many = form_data(process.budgets[0], image_1=upload(picture("PNG")), alt_1="Et fjerde")
    response = client.post(url, data=too_many, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Et forslag kan højst have 3 billeder." in response.get_data(as_text=True)

    swap = form_data(
        process.budgets[0], remove_images=[second], image_1=upload(picture("JPEG", size=(50, 10))), alt_1="Ny"
    )
    assert client.post(url, data=swap, content_type="multipart/form-data").status_code == 302
    db.session.expire_all()
    assert [(i.alt_text, i.position) for i in stored_images()] == [
        ("Billede 1", 0),
        ("Billede 3", 2),
        ("Ny", 3),
    ]
    assert client.get(f"/forslag/billede/{second}").status_code == 404


def test_edit_cannot_remove_another_proposals_image(client: FlaskClient, process: Any) -> None:
    author = make_user()
    login(client, author)
    submit(client, process, image_1=upload(picture("PNG")), alt_1="Andens billede")
    other_image = stored_images()[0]
    mine = make_proposal(process, author=author)
    response = client.post(
        f"/forslag/{mine.id}/rediger", data=form_data(process.budgets[0], remove_images=[other_image.token])
    )
    assert response.status_code == 422
    assert len(stored_images()) == 1


def test_image_route_sends_safe_headers(client: FlaskClient, process: Any) -> None:
    login(client, make_user())
    submit(client, process, image_1=upload(picture("PNG")), alt_1="Felt")
    [image] = stored_images()
    client.post("/konto/log-ud")
    response = client.get(f"/forslag/billede/{image.token}")
    assert response.status_code == 200
    assert response.data == image.data
    headers = response.headers
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "default-src 'none'"
    assert headers["Content-Disposition"] == f'inline; filename="forslag-{image.proposal_id}-1.jpg"'
    assert headers["Cache-Control"].startswith("public, max-age=")
    page = client.get(f"/forslag/{image.proposal_id}").get_data(as_text=True)
    assert f'src="/forslag/billede/{image.token}" alt="Felt"' in page


def test_images_of_hidden_proposals_are_not_public(client: FlaskClient, process: Any) -> None:
    author = make_user()
    login(client, author)
    submit(client, process, image_1=upload(picture("PNG")), alt_1="Felt")
    [image] = stored_images()
    proposal = db.session.scalar(select(Proposal))
    proposal.hidden = True
    db.session.commit()
    assert client.get(f"/forslag/billede/{image.token}").status_code == 404  # not even for the author
    client.post("/konto/log-ud")
    assert client.get(f"/forslag/billede/{image.token}").status_code == 404
    login(client, make_user(role=Role.STAFF))
    response = client.get(f"/forslag/billede/{image.token}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"


def test_unknown_image_token_is_not_found(client: FlaskClient) -> None:
    assert client.get("/forslag/billede/findes-ikke").status_code == 404
    assert client.get("/forslag/billede/" + "x" * 500).status_code == 404


def test_prepare_image_reads_content_not_names() -> None:
    with pytest.raises(images.ImageRejected):
        images.prepare_image(b"GIF89a" + b"\0" * 100)
    prepared = images.prepare_image(picture("WEBP", size=(2000, 1000)))
    assert (prepared.mime_type, prepared.width, prepared.height) == ("image/jpeg", 1600, 800)
