"""The broker homepage front end: what the listing index and listing pages render.

- ``views``: template contexts and responses the page models delegate to (index, listing,
  contact form, withdrawn listings, the page's language);
- ``images``: which pictures a listing shows, loaded with their renditions in constant queries;
- ``filters``: the index page's filter form;
- ``presentation`` and ``formatting``: facts, prices and labels as visitors read them;
- ``contact``: the enquiry form, its spam checks and the e-mail to the broker;
- ``maps``: the static OpenStreetMap tile map;
- ``seo``: JSON-LD and Open Graph.

The modules import the models at module level; the models import ``views`` only inside the
methods that serve a page, so module-level imports have no cycle. Importing and exporting
do not use this package (the attachment order is ``ListingAttachment.objects.title_first()``).
The template tags stay in ``wagtail_openimmo.templatetags``, where Django finds them.
"""
