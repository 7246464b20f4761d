"""The REST API: endpoints, limits, API key, batch contents.

Answers to requests are checked in-process (``TestClient(create_app(settings))``); the real server on
127.0.0.1 (``number-generator serve``, tests/_api_server.py) for its start-up, the API key over real
connections, and a batch streaming while other requests are answered.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from _api_server import running_server, serve_args, server_in_thread
from _cli import run_cli
from number_generator import SyntheticDataset, generate_numbers_sequence, render_phone_number
from number_generator.api import create_app
from number_generator.api.settings import Settings
from number_generator.io.png import to_uint8

ROOT = Path(__file__).resolve().parent.parent
#: The limits of these tests: ``serve --max-length 40 --max-width 1000 --max-batch 50 --max-body-bytes 2048``.
LIMITS = Settings(max_length=40, max_width=1000, max_batch=50, max_body_bytes=2048)


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(LIMITS)) as c:
        yield c


def png(response) -> np.ndarray:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.mode == "L"
        return np.asarray(image)


def test_seed_endpoint_sequence_matches_the_library(client):
    body = {"sequence": "0123456789", "min_spacing": 1, "max_spacing": 5, "image_width": 320, "random_seed": 7}
    pixels = png(client.post("/generate-numbers-sequence", json=body))
    assert pixels.shape == (28, 320) and pixels.dtype == np.uint8
    assert pixels.min() == 0 and pixels.max() == 255
    np.testing.assert_array_equal(pixels, to_uint8(generate_numbers_sequence("0123456789", (1, 5), 320, seed=7)))
    # a list of ints works as in the seed project
    body["sequence"] = [0, 1, 2]
    assert png(client.post("/generate-numbers-sequence", json=body)).shape == (28, 320)


def test_seed_endpoint_phone_number(client):
    response = client.post(
        "/generate-phone-number", json={"min_spacing": 0, "max_spacing": 3, "image_width": 300, "random_seed": 11}
    )
    pixels = png(response)
    expected = render_phone_number((0, 3), 300, seed=11)
    assert response.headers["x-phone-number"] == expected.text
    assert re.fullmatch(r"0\d{1,4}-\d{1,4}-\d{3,4}", expected.text)
    np.testing.assert_array_equal(pixels, to_uint8(expected.image))


def test_sequence_png_headers_carry_label_boxes_and_seed(client):
    response = client.get("/v1/sequence.png", params={"digits": "2026", "image_width": 200, "seed": 3})
    pixels = png(response)
    assert pixels.shape == (28, 200)
    assert response.headers["x-label"] == "2026" and response.headers["x-seed"] == "3"
    boxes = json.loads(response.headers["x-boxes"])
    assert len(boxes) == 4
    for x0, y0, x1, y1 in boxes:
        assert pixels[y0:y1, x0:x1].min() == 0  # each box holds ink
    # without a seed, the answer says which one it used, and that seed reproduces it
    first = client.get("/v1/sequence.png", params={"digits": "55"})
    again = client.get("/v1/sequence.png", params={"digits": "55", "seed": first.headers["x-seed"]})
    assert first.content == again.content


def test_sequence_png_with_augmentation_preset_and_inline_json(client):
    plain = client.get("/v1/sequence.png", params={"digits": "0123", "seed": 1})
    heavy = client.get("/v1/sequence.png", params={"digits": "0123", "seed": 1, "augment": "heavy"})
    assert png(heavy).shape == (28, 300) and heavy.content != plain.content
    from number_generator import render_sequence
    from number_generator.augment import preset

    inline = preset("medium").to_json()  # the library's pipeline format, inline
    response = client.get("/v1/sequence.png", params={"digits": "0123", "seed": 1, "augment": inline})
    expected = render_sequence("0123", (0, 4), 300, seed=1, augment="medium")
    np.testing.assert_array_equal(png(response), to_uint8(expected.image))
    unknown = json.dumps({"image": [{"type": "Sparkles", "p": 1.0}]})
    response = client.get("/v1/sequence.png", params={"digits": "0123", "augment": unknown})
    assert response.status_code == 422 and "Sparkles" in response.text and "GaussianNoise" in response.text


def test_phone_number_png(client):
    response = client.get("/v1/phone-number.png", params={"seed": 5, "image_width": 280, "format": "mobile"})
    assert png(response).shape == (28, 280)
    assert re.fullmatch(r"0[789]0-\d{4}-\d{4}", response.headers["x-phone-number"])
    digits_only = client.get("/v1/phone-number.png", params={"seed": 5, "separator": ""})
    assert digits_only.headers["x-phone-number"].isdigit()


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "loc", "fragment"),
    [
        (
            "get",
            "/v1/sequence.png",
            {"params": {"digits": "1", "image_width": 1001}},
            ["query", "image_width"],
            "image_width 1001 is above the limit of 1000",
        ),
        (
            "get",
            "/v1/sequence.png",
            {"params": {"digits": "1" * 41}},
            ["query", "digits"],
            "digits has 41 characters, above the limit of 40",
        ),
        ("post", "/v1/batch", {"json": {"count": 51}}, ["body", "count"], "count 51 is above the limit of 50"),
        (
            "post",
            "/generate-numbers-sequence",
            {"json": {"sequence": "1", "image_width": 5000}},
            ["body", "image_width"],
            "above the limit of 1000",
        ),
        (
            "post",
            "/v1/batch",
            {"content": b"{" + b" " * 3000 + b"}", "headers": {"content-type": "application/json"}},
            ["body"],
            "above the limit of 2048 bytes",
        ),
        (
            "get",
            "/v1/sequence.png",
            {"params": {"digits": "1", "augment": "/etc/passwd"}},
            ["query", "augment"],
            "augment must be one of none, light, medium, heavy",
        ),
    ],
)
def test_limits_are_422_naming_field_and_limit(client, method, url, kwargs, loc, fragment):
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    assert detail["loc"] == loc and fragment in detail["msg"]


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"digits": "12a"}, "cannot draw 'a'"),
        ({"digits": "12", "min_spacing": 5, "max_spacing": 2}, "minimum spacing 5 is greater than maximum spacing 2"),
        ({"digits": "12", "split": "validation"}, "unknown split 'validation'"),
        ({"digits": "12", "dataset": "nope"}, "unknown dataset 'nope'"),
        ({"digits": "12", "image_width": 0}, "image_width"),
        ({}, "exactly one of 'digits' or 'text'"),
        ({"digits": "12", "seed": "abc"}, "seed"),
    ],
)
def test_bad_values_are_422_with_the_librarys_message(client, params, fragment):
    response = client.get("/v1/sequence.png", params=params)
    assert response.status_code == 422
    assert fragment in json.dumps(response.json())


def test_batch_zip_contents_match_the_dataset(client):
    response = client.post("/v1/batch", json={"kind": "phone", "count": 12, "seed": 9, "image_width": 260})
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    spec = json.loads(response.headers["x-spec"])
    dataset = SyntheticDataset(spec)
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        names = zf.namelist()
        assert names[:12] == [f"{i:06d}.png" for i in range(12)] and names[12:] == ["labels.csv", "metadata.jsonl"]
        rows = list(csv.reader(io.StringIO(zf.read("labels.csv").decode())))
        assert rows[0] == ["file_name", "text"] and len(rows) == 13
        meta = [json.loads(line) for line in zf.read("metadata.jsonl").decode().splitlines()]
        for i in range(12):
            sample = dataset[i]
            with Image.open(io.BytesIO(zf.read(f"{i:06d}.png"))) as image:
                np.testing.assert_array_equal(np.asarray(image), to_uint8(sample.image))
            assert rows[i + 1] == [f"{i:06d}.png", sample.text] and meta[i]["boxes"] == sample.boxes.tolist()
    assert len({row[1] for row in rows[1:]}) == 12  # phone numbers in a batch are distinct


def test_batch_npz_contents(client):
    response = client.post(
        "/v1/batch",
        json={
            "kind": "digits",
            "count": 20,
            "format": "npz",
            "seed": 2,
            "min_length": 3,
            "max_length": 6,
            "image_width": 150,
        },
    )
    assert response.status_code == 200
    dataset = SyntheticDataset(json.loads(response.headers["x-spec"]))
    with np.load(io.BytesIO(response.content)) as z:
        assert z["images"].shape == (20, 28, 150) and z["images"].dtype == np.uint8
        assert list(z["indices"]) == list(range(20))
        # the export's NPZ writer: the same members as a shard on disk, widths included
        assert sorted(z.files) == ["box_offsets", "boxes", "images", "indices", "labels", "widths"]
        assert [int(w) for w in z["widths"]] == [dataset[i].image.shape[1] for i in range(20)]
        for i in (0, 19):
            np.testing.assert_array_equal(z["images"][i], to_uint8(dataset[i].image))
            assert str(z["labels"][i]) == dataset[i].text and 3 <= len(dataset[i].text) <= 6
            lo, hi = z["box_offsets"][i], z["box_offsets"][i + 1]
            np.testing.assert_array_equal(z["boxes"][lo:hi], dataset[i].boxes)


def test_batch_text_kind_and_bad_spec(client):
    ok = client.post("/v1/batch", json={"kind": "text", "count": 3, "texts": ["12-34", "5"], "format": "npz"})
    assert ok.status_code == 200
    with np.load(io.BytesIO(ok.content)) as z:
        assert set(z["labels"].tolist()) <= {"12-34", "5"}
    bad = client.post("/v1/batch", json={"kind": "text", "count": 3, "texts": ["ab"]})
    assert bad.status_code == 422 and "cannot draw" in bad.text
    missing = client.post("/v1/batch", json={"kind": "text", "count": 3})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "texts"]


def test_healthz_docs_openapi_and_page(client):
    assert client.get("/healthz").json()["status"] == "ok"
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/docs-static/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()  # works offline
    assert client.get("/docs-static/swagger-ui-bundle.js").status_code == 200
    schema = client.get("/openapi.json").json()
    assert {
        "/generate-numbers-sequence",
        "/generate-phone-number",
        "/v1/sequence.png",
        "/v1/phone-number.png",
        "/v1/batch",
        "/healthz",
    } <= set(schema["paths"])
    page = client.get("/")
    assert page.status_code == 200 and '<label for="text">' in page.text
    assert "http://" not in page.text.replace("http://127.0.0.1", "") and "https://" not in page.text  # no CDN
    assert client.get("/static/playground.js").status_code == 200


def test_no_endpoint_serves_files_outside_the_package(client):
    for path in ("/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd", "/static/..%2fapp.py"):
        response = client.get(path)
        assert response.status_code == 404 and b"root:" not in response.content


def test_api_key_protects_everything_but_healthz():
    with running_server("--api-key", "s3cret") as url:
        assert httpx.get(url + "/healthz").status_code == 200
        for path in ("/v1/sequence.png?digits=1", "/docs", "/openapi.json", "/"):
            response = httpx.get(url + path)
            assert response.status_code == 401 and "X-API-Key" in response.json()["detail"]
        assert httpx.get(url + "/v1/sequence.png?digits=1", headers={"X-API-Key": "wrong"}).status_code == 401
        assert httpx.get(url + "/v1/sequence.png?digits=1", headers={"X-API-Key": "s3cret"}).status_code == 200
        assert (
            httpx.get(url + "/v1/sequence.png?digits=1", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        )
        # A browser opens /?api_key=KEY once, gets an HttpOnly cookie, and the playground works.
        assert httpx.get(url + "/?api_key=wrong").status_code == 401
        with httpx.Client(base_url=url) as browser:
            first = browser.get("/?api_key=s3cret")
            assert first.status_code == 303 and "HttpOnly" in first.headers["set-cookie"]
            assert browser.get("/").status_code == 200
            assert browser.get("/v1/sequence.png?digits=1").status_code == 200


def test_dockerfile_runs_the_same_serve_command_as_the_tests():
    text = (ROOT / "Dockerfile").read_text()
    cmd = json.loads(re.search(r"^CMD\s+(\[.*\])\s*$", text, flags=re.M).group(1))
    tested = serve_args(1234)
    # Same program and subcommand; only the address differs (all interfaces, port 80 in the container).
    assert cmd[:2] == tested[:2]
    assert cmd[2:] == ["--host", "0.0.0.0", "--port", "80"]
    assert tested[2:6] == ["--host", "127.0.0.1", "--port", "1234"]
    assert re.search(r"pip install[^\n]*\.\[api\]", text)


def test_serve_rejects_bad_settings_in_one_line(monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("serve started a server on port 0"))
    result = run_cli("number-generator", "serve", "--port", "0")
    assert (
        result.returncode == 2 and "port must be 1-65535, got 0" in result.stderr and "Traceback" not in result.stderr
    )


def test_generation_does_not_block_the_event_loop(monkeypatch):
    """While a batch is being generated, other requests are answered.

    Deterministic: every block of the batch after the first waits for the test to say go, so the batch is
    certainly unfinished while the other requests are made.  Generated on the event loop, the waiting
    block would hold the loop, and the requests would get no answer (their timeout fails the test).
    """
    import threading

    original = SyntheticDataset.render_block
    parked, go = threading.Event(), threading.Event()

    def render_block(self, start: int, stop: int):
        if start > 0:
            parked.set()
            go.wait(120)
        return original(self, start, stop)

    monkeypatch.setattr(SyntheticDataset, "render_block", render_block)
    finished: dict = {}
    with server_in_thread(create_app(Settings())) as url:

        def big_batch():
            with httpx.stream("POST", url + "/v1/batch", json={"kind": "digits", "count": 2_000}, timeout=300) as r:
                finished["size"] = sum(len(chunk) for chunk in r.iter_bytes())
                finished["status"] = r.status_code

        thread = threading.Thread(target=big_batch)
        thread.start()
        try:
            assert parked.wait(120), "the batch never reached its second block"
            for _ in range(5):
                assert httpx.get(url + "/v1/sequence.png", params={"digits": "12"}, timeout=30).status_code == 200
            assert thread.is_alive() and not finished  # the batch is still waiting for its second block
        finally:
            go.set()
            thread.join(300)
    assert finished["status"] == 200 and finished["size"] > 2_000 * 500


def test_batch_texts_may_hold_spaces(client):
    response = client.post("/v1/batch", json={"kind": "text", "count": 2, "texts": ["12 34"], "format": "npz"})
    assert response.status_code == 200
    with np.load(io.BytesIO(response.content)) as z:
        assert z["labels"].tolist() == ["12 34", "12 34"]
        assert z["box_offsets"].tolist() == [0, 5, 10]  # one box per character, the space included
