"""ImmobilienScout24 sync: an opt-in sub-app (add ``"wagtail_openimmo.is24"`` to INSTALLED_APPS).

It keeps each broker's listings on IS24 in step with the site the way IS24 demands: nothing
is ever deleted and re-created ("Vollabgleich"). New listings are created and published,
changed ones updated in place (PUT), withdrawn ones only deactivated (the publication is
removed), and images are compared by checksum so that an unchanged image is never uploaded
twice. See ``sync.py`` for the rules and ``client.py`` for the API.
"""
