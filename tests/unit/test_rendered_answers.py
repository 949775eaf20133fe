"""Catalog answers kept as bytes per catalog snapshot (app/rendered.py) and the one JSON codec
(jsoncodec.py). Pure: no I/O."""

from __future__ import annotations

import json

import pytest

from secapi_hetzner import jsoncodec
from secapi_hetzner.app.etags import tag_of
from secapi_hetzner.app.json_body import FastJsonifier
from secapi_hetzner.app.rendered import RenderedAnswers


def test_an_answer_is_rendered_once_per_snapshot_and_again_for_a_new_one() -> None:
    answers = RenderedAnswers()
    first, second = object(), object()
    built: list[str] = []

    def build(value: str) -> dict[str, str]:
        built.append(value)
        return {"v": value}

    a = answers.render(first, "k", lambda: build("one"))
    assert answers.render(first, "k", lambda: build("two")) is a  # kept: not built again
    assert json.loads(a.body) == {"v": "one"} and a.etag == tag_of(a.body)
    assert answers.get(second, "k") is None  # another snapshot: nothing kept for it
    b = answers.render(second, "k", lambda: build("three"))
    assert json.loads(b.body) == {"v": "three"} and built == ["one", "three"]
    assert answers.get(first, "k") is None  # the old snapshot's answers are gone


def test_a_failed_build_is_not_kept() -> None:
    answers = RenderedAnswers()
    snapshot = object()

    def fail() -> dict[str, str]:
        raise LookupError("no such SKU")

    with pytest.raises(LookupError):
        answers.render(snapshot, "k", fail)
    assert answers.get(snapshot, "k") is None
    assert json.loads(answers.render(snapshot, "k", lambda: {"ok": True}).body) == {"ok": True}


def test_memory_is_bounded_least_recently_used_first_out() -> None:
    answers = RenderedAnswers(capacity=3)
    snapshot = object()
    for key in "abc":
        answers.render(snapshot, key, lambda key=key: {"k": key})
    assert answers.get(snapshot, "a") is not None  # used: "b" is now the oldest
    answers.render(snapshot, "d", lambda: {"k": "d"})
    assert answers.get(snapshot, "b") is None
    assert all(answers.get(snapshot, key) is not None for key in "acd")


def test_the_response_carries_the_bytes_and_their_tag() -> None:
    rendered = RenderedAnswers().render(object(), "k", lambda: {"name": "cx23"})
    response = rendered.response()
    assert response.body == rendered.body
    assert response.headers["etag"] == rendered.etag and response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("data", [
    {"items": [{"name": "ws", "labels": {"env": "prod"}}], "metadata": {"skipToken": "x"}},
    {"unicode": "Zürich ✓", "nested": [[1, 2.5, None, True]]},
    {"big": 2**70, "negative": -(2**80)},  # beyond 64 bits: orjson refuses, the fallback writes it
    {1: "non-string key"},
])
def test_json_bodies_read_back_as_what_was_encoded(data: dict[object, object]) -> None:
    body = jsoncodec.encode(data)
    assert body.endswith(b"\n")
    assert json.loads(body) == json.loads(json.dumps(data))
    assert json.loads(FastJsonifier().dumps(data)) == json.loads(json.dumps(data))


@pytest.mark.parametrize("text", [
    '{"spec": {"sizeGB": 20, "labels": {"a": "b"}}, "n": [1.5, -0.0, 1e300, null, true]}',
    '{"big": 123456789012345678901234567890, "neg": -99999999999999999999}',  # stays an exact int
    '{"lone": "\\ud800", "pair": "\\ud83d\\ude00"}',  # a lone surrogate: orjson refuses it
    '"Z\u00fcrich \u2713"', "18446744073709551616",
])
def test_decoding_reads_exactly_what_the_standard_library_reads(text: str) -> None:
    expected = json.loads(text)
    for data in (text, text.encode(), memoryview(text.encode())):
        assert jsoncodec.decode(data) == expected and type(jsoncodec.decode(data)) is type(expected)


def test_decoding_bad_json_fails_as_the_standard_library_does() -> None:
    with pytest.raises(json.JSONDecodeError):
        jsoncodec.decode(b'{"a": ')
