"""Amenities labelled for visitors (presentation.feature_label)."""

from wagtail_openimmo.frontend.presentation import feature_label


def test_labels_known_and_unknown_codes():
    assert feature_label("kueche", "EBK") == "Fitted kitchen"
    assert feature_label("balkon", None) == "Balcony"
    assert feature_label("ausstatt_kategorie", "LUXUS") == "Standard of fittings: luxury"
    # Unknown codes are shown, not dropped.
    assert feature_label("hebebuehne", None) == "Hebebuehne"
    assert feature_label("dachform", "SATTELDACH") == "Roof: Satteldach"
