"""A site's own listing page model, as docs/extending.md describes: ``MyListingPage``
subclasses ``AbstractListingPage`` and adds a field. Installed only by
``tests.settings_swapped``, which names it in ``WAGTAIL_OPENIMMO["LISTING_PAGE_MODEL"]``;
the tests beside it run in a process of their own with those settings
(``tests/test_swapped_listing_model.py`` starts it)."""
