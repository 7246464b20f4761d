"""The REST API under malformed and abusive requests (issue 15 items 8-11).

In-process (``TestClient``) for answers to single requests; the real server on
127.0.0.1 for what needs real connections: disconnecting clients, concurrent
streams and shutdown.
"""

from __future__ import annotations

import io
import json
import logging
import signal
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from _api_server import running_server, server_process
from _cli import run_cli
from number_generator.api import create_app
from number_generator.api.limits import RETRY_AFTER_SECONDS, request_cost
from number_generator.api.settings import ENV_PREFIX, Settings
from number_generator.augment.config import MAX_TRANSFORMS

KEY = "s3cret-Key_1"
SEQUENCE = "/v1/sequence.png"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Settings())) as c:
        yield c


@pytest.fixture(scope="module")
def keyed():
    with TestClient(create_app(Settings(api_key=KEY))) as c:
        yield c


def problem(response, loc: list) -> str:
    """The message of a 422 naming ``loc``."""
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    assert detail["loc"] == loc
    return detail["msg"]


# --------------------------------------------------------------------------- item 8: malformed input is 422


def test_a_transform_type_that_is_not_a_string_is_422(client):
    augment = json.dumps({"image": [{"type": ["a"]}]})
    message = problem(client.get(SEQUENCE, params={"digits": "12", "augment": augment}), ["query", "augment"])
    assert "unknown image transform ['a']" in message


def test_deeply_nested_augment_json_is_422(client):
    augment = '{"glyph": ' + "[" * 1000 + "]" * 1000 + "}"
    message = problem(client.get(SEQUENCE, params={"digits": "12", "augment": augment}), ["query", "augment"])
    assert "nested too deeply" in message
    body = {"count": 2, "augment": augment}
    assert "nested too deeply" in problem(client.post("/v1/batch", json=body), ["body", "augment"])


def test_a_non_ascii_api_key_in_the_url_is_422(keyed):
    for offered in ("clé", "€uro", "a;b"):
        message = problem(keyed.get("/", params={"api_key": offered}, follow_redirects=False), ["query", "api_key"])
        assert "printable ASCII" in message


# --------------------------------------------------------------------------- item 9: budget and transform cap


def test_a_pipeline_over_the_transform_cap_is_422(client):
    augment = json.dumps({"glyph": [{"type": "Affine"}] * (MAX_TRANSFORMS + 1)})
    message = problem(client.get(SEQUENCE, params={"digits": "12", "augment": augment}), ["query", "augment"])
    assert message == f"augment config has {MAX_TRANSFORMS + 1} transforms, above the limit of {MAX_TRANSFORMS}"
    at_cap = json.dumps({"glyph": [{"type": "Affine"}] * MAX_TRANSFORMS})
    assert client.get(SEQUENCE, params={"digits": "12", "augment": at_cap}).status_code == 200


def test_the_request_cost_is_pixels_times_passes():
    assert request_cost(images=1, image_width=100, characters=2, transforms=0) == 28 * 100 + 784 * 2
    assert request_cost(images=10, image_width=100, characters=2, transforms=3) == 10 * (28 * 100 + 784 * 2) * 4


def test_a_batch_over_the_budget_is_422_before_any_work(client):
    """The abuse recipe of the issue: 10,000 images 4,096 px wide with two glyph transforms."""
    augment = json.dumps({"glyph": [{"type": "ElasticDistortion", "alpha": [30, 34]}, {"type": "Affine"}]})
    body = {"count": 10_000, "image_width": 4096, "augment": augment}
    response = client.post("/v1/batch", json=body)
    message = problem(response, ["body", "count"])
    cost = request_cost(10_000, 4096, 12, 2)
    assert f"would cost {cost:,} pixel-passes" in message and "above the budget of 2,000,000,000" in message
    assert response.json()["detail"][0]["limit"] == Settings().max_cost
    # the same batch without augmentation fits the default budget
    assert request_cost(10_000, 4096, 12, 0) <= Settings().max_cost


def test_single_images_are_held_to_the_budget_too():
    with TestClient(create_app(Settings(max_cost=100_000))) as small:
        assert small.get(SEQUENCE, params={"digits": "12", "image_width": 1000}).status_code == 200
        response = small.get(SEQUENCE, params={"digits": "12", "image_width": 1000, "augment": "heavy"})
        assert "above the budget of 100,000" in problem(response, ["query", "image_width"])
        response = small.get("/v1/phone-number.png", params={"image_width": 4000})
        assert "above the budget" in problem(response, ["query", "image_width"])


# --------------------------------------------------------------------------- items 9-10: stream slots


def test_a_batch_past_the_stream_slots_is_503_with_retry_after():
    app = create_app(Settings(max_streams=2))
    slots = app.state.stream_slots
    with TestClient(app) as c:
        assert slots.try_take() and slots.try_take()  # two downloads in progress elsewhere
        busy = c.post("/v1/batch", json={"count": 2})
        assert busy.status_code == 503 and busy.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        assert "busy" in busy.json()["detail"]
        assert c.get(SEQUENCE, params={"digits": "12"}).status_code == 200  # single images are not queued
        slots.give_back()
        done = c.post("/v1/batch", json={"count": 2, "format": "npz"})
        assert done.status_code == 200 and len(done.content) > 2 * 28 * 300
        assert slots.try_take(), "a finished download gives its slot back"
        assert not slots.try_take()


def test_the_stream_block_is_bounded_by_bytes():
    from number_generator.api.streams import BLOCK, BLOCK_BYTES, block_size

    assert block_size(200) == BLOCK
    assert block_size(4096) * 28 * 4096 <= BLOCK_BYTES and block_size(4096) >= 1
    assert block_size(10**6) == 1


# --------------------------------------------------------------------------- item 11: the API key


def test_bearer_scheme_is_case_insensitive_and_a_bare_key_is_refused(keyed):
    for header in (f"Bearer {KEY}", f"bearer {KEY}", f"BEARER  {KEY}"):
        assert keyed.get(SEQUENCE, params={"digits": "1"}, headers={"Authorization": header}).status_code == 200
    for header in (KEY, f"Basic {KEY}", f"Bearer{KEY}"):
        assert keyed.get(SEQUENCE, params={"digits": "1"}, headers={"Authorization": header}).status_code == 401


def test_the_key_cookie_is_secure_over_https_and_behind_a_proxy_that_says_so():
    app = create_app(Settings(api_key=KEY))

    def cookie(base_url: str, headers: dict | None = None) -> str:
        with TestClient(app, base_url=base_url) as browser:  # a fresh browser: no cookie yet
            response = browser.get("/", params={"api_key": KEY}, headers=headers, follow_redirects=False)
            assert response.status_code == 303
            return response.headers["set-cookie"]

    plain = cookie("http://testserver")
    assert "HttpOnly" in plain and "Secure" not in plain
    assert "; Secure" in cookie("http://testserver", {"X-Forwarded-Proto": "https"})
    assert "; Secure" in cookie("https://testserver")


@pytest.mark.parametrize("bad", ["two words", "semi;colon", "clé", 'quo"te', "comma,", "tab\there"])
def test_unusable_keys_are_refused_at_start_up(bad, monkeypatch):
    import uvicorn

    with pytest.raises(ValueError, match="must be printable ASCII without spaces"):
        Settings(api_key=bad)
    monkeypatch.setenv(ENV_PREFIX + "KEY", bad)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("serve started with an unusable key"))
    result = run_cli("number-generator", "serve", "--port", "1")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "printable ASCII" in result.stderr


def test_the_key_is_redacted_from_the_access_log(keyed):
    """uvicorn's access logger gets a filter when the app is built; its records carry the path in args."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("uvicorn.access")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/?api_key={KEY}&x=1", "1.1", 303)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    line = stream.getvalue()
    assert KEY not in line and "/?api_key=***&x=1" in line


def test_the_real_server_logs_no_key():
    with server_process(None, "--api-key", KEY, "--access-log") as server:  # the last access-log flag wins
        assert httpx.get(server.url + "/", params={"api_key": KEY}, follow_redirects=False).status_code == 303
        server.process.terminate()
        server.process.wait(timeout=30)
        text = server.output()
    assert "api_key=***" in text and KEY not in text


# --------------------------------------------------------------------------- real server: disconnects, shutdown

HUGE = {"count": 200_000, "image_width": 2000, "augment": "heavy", "format": "npz"}
HUGE_ENV = {ENV_PREFIX + "MAX_BATCH": "1000000", ENV_PREFIX + "MAX_COST": str(10**15), ENV_PREFIX + "MAX_STREAMS": "1"}


def _start_huge_stream(base: str) -> tuple[httpx.Client, httpx.Response, Iterator[bytes]]:
    """Open a batch that would take many minutes to generate; read its first chunk."""
    client = httpx.Client(timeout=60)
    response = client.send(client.build_request("POST", base + "/v1/batch", json=HUGE), stream=True)
    assert response.status_code == 200
    chunks = response.iter_bytes()
    next(chunks)
    return client, response, chunks


def test_a_disconnected_client_stops_its_stream_and_frees_the_slot():
    with running_server(env=HUGE_ENV) as base:
        client, response, _ = _start_huge_stream(base)
        assert httpx.post(base + "/v1/batch", json={"count": 2}, timeout=30).status_code == 503  # the one slot is busy
        assert httpx.get(base + SEQUENCE, params={"digits": "12"}, timeout=30).status_code == 200
        response.close()
        client.close()  # the client goes away after one chunk of a stream of many minutes
        deadline = time.monotonic() + 60
        status = 503
        while status == 503 and time.monotonic() < deadline:
            time.sleep(0.2)
            status = httpx.post(base + "/v1/batch", json={"count": 2}, timeout=30).status_code
        assert status == 200, "generation went on after the client left"


def test_a_stopping_server_cancels_open_streams():
    with server_process(None, env={**HUGE_ENV, ENV_PREFIX + "SHUTDOWN_GRACE": "1"}) as server:
        _, _, chunks = _start_huge_stream(server.url)
        reader = threading.Thread(target=lambda: sum(1 for _ in _drain(chunks)), daemon=True)
        reader.start()
        server.process.send_signal(signal.SIGTERM)
        # without a grace timeout, uvicorn waits for the stream: many minutes
        assert server.process.wait(timeout=60) is not None


def _drain(chunks: Iterator[bytes]) -> Iterator[bytes]:
    try:
        yield from chunks
    except httpx.HTTPError:  # the server went away mid-stream, as it should
        return
