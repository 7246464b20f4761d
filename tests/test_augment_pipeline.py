"""Pipeline: determinism, replay, configuration round-trips, presets, bad configurations."""

import json

import numpy as np
import pytest
import yaml

from _augment_data import glyph_stack, line_image
from number_generator.augment import (
    GLYPH_TRANSFORMS,
    IMAGE_TRANSFORMS,
    MARK_TRANSFORMS,
    PRESETS,
    Affine,
    GaussianNoise,
    Pipeline,
    load_pipeline,
    resolve_augment,
)

PRESET_NAMES = ["light", "medium", "heavy", "realistic"]


def run(pipe, seed):
    rng = np.random.default_rng(seed)
    glyphs = pipe.apply_glyphs(glyph_stack(), rng)
    img, boxes = line_image(200, 8)
    out, b = pipe.apply_image(img, boxes, rng)
    return glyphs, out, b


def same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_same_seed_same_output_and_contract(name):
    pipe = resolve_augment(name)
    a = run(pipe, 11)
    b = run(resolve_augment(name), 11)
    assert same(a, b)
    assert not same(a, run(pipe, 12))
    glyphs, img, boxes = a
    assert glyphs.dtype == np.uint8 and glyphs.shape == (4, 28, 28)
    assert img.dtype == np.float32 and img.shape == (28, 200)
    assert img.min() >= 0.0 and img.max() <= 1.0
    assert boxes.dtype == np.int64 and boxes.shape == (8, 4)


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_replay_from_recorded_params(name):
    pipe = resolve_augment(name)
    rng = np.random.default_rng(3)
    stack = glyph_stack()
    glyphs, gparams = pipe.apply_glyphs(stack, rng, return_params=True)
    img, boxes = line_image(200, 8)
    out, b, iparams = pipe.apply_image(img, boxes, rng, return_params=True)
    # records are plain data: they survive JSON
    gparams, iparams = json.loads(json.dumps([gparams, iparams]))
    assert np.array_equal(pipe.replay_glyphs(stack, gparams), glyphs)
    assert np.array_equal(pipe.replay_glyph(stack[1], gparams[1]), glyphs[1])
    out2, b2 = pipe.replay_image(img, boxes, iparams)
    assert np.array_equal(out2, out) and np.array_equal(b2, b)


def test_single_glyph_equals_batch_of_one():
    pipe = resolve_augment("heavy")
    g = glyph_stack()[2]
    a = pipe.apply_glyph(g, np.random.default_rng(8))
    b = pipe.apply_glyphs(g[None], np.random.default_rng(8))[0]
    assert a.dtype == np.uint8 and a.shape == (28, 28)
    assert np.array_equal(a, b)


def test_probability_does_not_shift_later_parameters():
    """A transform consumes the same randomness whether applied or not."""
    on = Pipeline(image=[GaussianNoise(sigma=0.1, p=1.0), GaussianNoise(sigma=0.05)])
    off = Pipeline(image=[GaussianNoise(sigma=0.1, p=0.0), GaussianNoise(sigma=0.05)])
    img = np.full((28, 50), 0.5, np.float32)
    _, _, p_on = on.apply_image(img, None, np.random.default_rng(0), return_params=True)
    _, _, p_off = off.apply_image(img, None, np.random.default_rng(0), return_params=True)
    assert p_off[0] == {} and p_on[1] == p_off[1]


def test_inputs_are_not_modified():
    pipe = resolve_augment("heavy")
    stack = glyph_stack()
    img, boxes = line_image()
    copies = stack.copy(), img.copy(), boxes.copy()
    pipe.apply_glyphs(stack, np.random.default_rng(0))
    pipe.apply_image(img, boxes, np.random.default_rng(0))
    assert np.array_equal(stack, copies[0]) and np.array_equal(img, copies[1])
    assert np.array_equal(boxes, copies[2])


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_config_round_trips_give_identical_output(name, tmp_path):
    pipe = resolve_augment(name)
    expected = run(pipe, 21)
    d = pipe.to_dict()
    assert d == json.loads(json.dumps(d))  # plain data
    assert Pipeline.from_dict(d) == pipe
    assert same(run(Pipeline.from_dict(d), 21), expected)
    for suffix in (".json", ".yaml", ".yml"):
        path = tmp_path / f"pipe{suffix}"
        pipe.save(path)
        loaded = resolve_augment(path)
        assert loaded == pipe
        assert same(run(loaded, 21), expected)
        assert same(run(resolve_augment(str(path)), 21), expected)
    assert yaml.safe_load(pipe.to_yaml()) == d


def test_hand_written_yaml_with_defaults(tmp_path):
    path = tmp_path / "aug.yaml"
    path.write_text(
        "glyph:\n  - type: Affine\n    rotate: [-5, 5]\nimage:\n  - type: GaussianNoise\n    sigma: 0.05\n    p: 0.5\n"
    )
    pipe = load_pipeline(path)
    assert pipe.glyph == [Affine(rotate=(-5, 5))]
    assert pipe.image[0].sigma == (0.05, 0.05) and pipe.image[0].p == 0.5


def test_resolve_augment_forms():
    assert resolve_augment(None) is None
    assert resolve_augment("none") is None
    assert resolve_augment("NONE") is None
    p = resolve_augment("medium")
    assert isinstance(p, Pipeline) and resolve_augment(p) is p
    assert resolve_augment(" Medium ") == p
    assert resolve_augment(p.to_dict()) == p
    assert resolve_augment({}) == Pipeline()


def test_presets_never_invert():
    for name in PRESET_NAMES:
        assert "Invert" not in {t["type"] for t in PRESETS[name]["image"]}


@pytest.mark.parametrize(
    "spec,fragments",
    [
        ("mediun", ["'mediun'", "none, light, medium, heavy"]),
        ({"glyph": [{"type": "Twirl"}]}, ["'Twirl'", "Affine", "StrokeThickness"]),
        ({"image": [{"type": "Affine"}]}, ["'Affine'", "is a glyph transform", "GaussianNoise"]),
        (
            {"glyph": [{"type": "Affine", "rotation": [1, 2]}]},
            ["'rotation'", "Affine", "rotate, shear, scale, translate, p"],
        ),
        ({"image": [{"type": "GaussianNoise", "sigma": [0.2, 0.1]}]}, ["'sigma'", "low <= high"]),
        ({"image": [{"type": "GaussianNoise", "sigma": "big"}]}, ["'sigma'", "GaussianNoise"]),
        ({"image": [{"type": "GaussianNoise", "p": 1.5}]}, ["'p'", "<= 1.0"]),
        ({"image": [{"type": "Brightness", "delta": [0, float("nan")]}]}, ["'delta'", "finite"]),
        ({"image": [{"type": "RandomErasing", "count": [1.5, 2]}]}, ["'count'", "integer"]),
        ({"image": [{"type": "IntensityRange", "ink": [0, 0.9], "paper": [0.8, 1]}]}, ["'ink'", "'paper'"]),
        ({"image": [{"sigma": 1}]}, ["missing 'type'", "GaussianNoise"]),
        ({"glyphs": []}, ["'glyphs'", "glyph, marks, image"]),
        ({"glyph": {"type": "Affine"}}, ["'glyph'", "list"]),
        (["Affine"], ["a dict or a Pipeline", "got list"]),
        (42, ["preset name", "int"]),
        ("aug.toml", ["'aug.toml'", ".json, .yaml or .yml"]),
        ("/nonexistent/aug.yaml", ["cannot read", "/nonexistent/aug.yaml"]),
    ],
)
def test_bad_configurations_name_the_problem(spec, fragments):
    with pytest.raises(ValueError) as err:
        resolve_augment(spec)
    for f in fragments:
        assert f in str(err.value), (f, str(err.value))


def test_malformed_files(tmp_path):
    bad_json = tmp_path / "a.json"
    bad_json.write_text("{glyph: [")
    with pytest.raises(ValueError, match="not valid JSON"):
        resolve_augment(bad_json)
    bad_yaml = tmp_path / "a.yaml"
    bad_yaml.write_text("glyph: [\n  - type: Affine\n  bad")
    with pytest.raises(ValueError, match="not valid YAML"):
        resolve_augment(bad_yaml)
    wrong = tmp_path / "b.yaml"
    wrong.write_text("glyph:\n  - type: Affine\n    rotate: [10, -10]\n")
    with pytest.raises(ValueError, match=r"glyph\[0\].*'rotate'"):
        resolve_augment(wrong)


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    from number_generator.augment import config

    target = tmp_path / "x.json"
    resolve_augment("light").save(target)
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]
    before = target.read_bytes()

    def crash(src, dst):  # the process dies between writing the new file and renaming it
        raise OSError("simulated crash before the rename")

    monkeypatch.setattr(config.os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        resolve_augment("heavy").save(target)
    assert target.read_bytes() == before  # the old file is whole: never truncated or half-written
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]  # and the temporary file is gone


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_image_parameters_drawn_together_equal_one_draw_per_transform(name):
    """A pipeline draws its image transforms' parameters in one call per run of them: the same values."""
    from number_generator.augment.sampling import sample_image_params

    pipe = resolve_augment(name)
    for seed in range(40):
        fused, separate = np.random.default_rng(seed), np.random.default_rng(seed)
        shape = (28, 120 + seed)
        assert sample_image_params(pipe.image, fused, shape) == [t.sample(separate, shape) for t in pipe.image]
        assert fused.random() == separate.random()  # the generator is left where one draw each leaves it


def test_an_image_transform_drawing_in_finish_without_saying_is_sampled_on_its_own():
    from number_generator.augment.sampling import sample_image_params

    class Jittered(GaussianNoise):  # a user's transform: its _finish draws, it does not say how many
        def _finish(self, params, rng, shape):
            params["offset"] = int(rng.integers(0, 1000))
            return params

    assert Jittered.finish_draws is None and GaussianNoise.finish_draws == 0
    transforms = [GaussianNoise(p=0.5), Jittered(p=0.5), GaussianNoise(p=0.5)]
    for seed in range(40):
        fused, separate = np.random.default_rng(seed), np.random.default_rng(seed)
        assert sample_image_params(transforms, fused, (28, 90)) == [t.sample(separate, (28, 90)) for t in transforms]
        assert fused.random() == separate.random()

    class Miscounted(Jittered):  # says one draw, takes more: refused rather than reading another's values
        finish_draws = 1

        def _finish(self, params, rng, shape):
            params["extra"] = rng.random(2).tolist()
            return params

    with pytest.raises(RuntimeError, match="drew more values than its finish_draws"):
        sample_image_params([Miscounted(p=1.0)], np.random.default_rng(0), (28, 90))


def test_registries_are_disjoint_and_documented():
    assert not set(GLYPH_TRANSFORMS) & set(IMAGE_TRANSFORMS)
    assert not (set(GLYPH_TRANSFORMS) | set(IMAGE_TRANSFORMS)) & set(MARK_TRANSFORMS)
    for cls in [*GLYPH_TRANSFORMS.values(), *IMAGE_TRANSFORMS.values(), *MARK_TRANSFORMS.values()]:
        doc = cls.__doc__ or ""
        assert "Parameters" in doc
        for name in cls.parameter_names():
            assert f"{name} :" in doc, (cls.__name__, name)


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_pipeline_draw_equals_per_transform_draws(name):
    """The pipeline samples all glyph transforms in one call: the same stream as one call each."""
    pipe = resolve_augment(name)
    fused = pipe._sample_glyph_columns(np.random.default_rng(9), 7)
    rng = np.random.default_rng(9)
    separate = [t.sample_columns(rng, 7) for t in pipe.glyph]
    for t, a, b in zip(pipe.glyph, fused, separate):
        assert a.keys() == b.keys()
        for k in a:
            if k == "applied" and t.character:  # class-conditional: without a text, no glyph is of its class
                assert not a[k].any()
                continue
            assert a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]), k
