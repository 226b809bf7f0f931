"""The character and word n-gram logistic regression our own text classifiers share.

Small, fast to train, no downloads, robust to typos and unseen inflections, and
deterministic: the same data always gives the same model.
"""

from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline


def ngram_logistic_regression(regularisation_c: float) -> Pipeline:
    """Character (2-5, inside word boundaries) and word (1-2) TF-IDF features, one
    multinomial logistic regression over all four languages."""
    features = FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True)),
    ])
    return make_pipeline(features, LogisticRegression(C=regularisation_c, max_iter=4000))
