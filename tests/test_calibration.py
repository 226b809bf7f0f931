"""Temperature scaling of the n-gram intent model's probabilities."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import softmax

from bot.nlu.calibration import best_temperature, fit_calibrated, scale
from bot.nlu.ngram_model import ngram_logistic_regression


def test_best_temperature_undoes_a_known_softening():
    generator = np.random.default_rng(7)
    logits = generator.normal(scale=3.0, size=(4000, 5))
    truth = softmax(logits, axis=1)
    labels = np.array([generator.choice(5, p=row) for row in truth])
    too_soft = softmax(logits / 2.0, axis=1)  # what an underconfident model would say

    temperature = best_temperature(too_soft, labels)

    assert temperature == pytest.approx(0.5, abs=0.05)
    assert np.abs(scale(too_soft, temperature) - truth).max() < 0.05


def test_scaling_sharpens_or_softens_but_never_changes_the_winner():
    probabilities = np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    sharper, softer = scale(probabilities, 0.5), scale(probabilities, 2.0)
    for scaled in (sharper, softer):
        assert (scaled.argmax(axis=1) == probabilities.argmax(axis=1)).all()
        assert scaled.sum(axis=1) == pytest.approx([1.0, 1.0])
    assert (sharper.max(axis=1) > probabilities.max(axis=1)).all()
    assert (softer.max(axis=1) < probabilities.max(axis=1)).all()
    assert scale(probabilities, 1.0) == pytest.approx(probabilities)


def test_too_few_examples_per_class_leave_the_probabilities_as_they_are():
    texts = ["where is my order", "wo ist meine Bestellung", "hello there", "hallo zusammen"]
    model = fit_calibrated(ngram_logistic_regression(30.0), texts, ["order", "order", "greet", "greet"])
    assert model.temperature == 1.0
    assert model.predict(["where is my order"])[0] == "order"
