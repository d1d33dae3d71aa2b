"""Creating brokers together with the page their listings live under."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Page, Site

from .models import Broker, FTPAccount, ListingIndexPage
from .models.brokers import default_report_language
from .models.ftp import generate_password, validate_folder, validate_username


class BrokerError(Exception):
    pass


def default_root_page() -> Page:
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        raise BrokerError("There is no default Wagtail site; create one in the admin first.")
    return site.root_page.specific


def _free_slug(parent: Page, wanted: str) -> str:
    slug = slugify(wanted) or "listings"
    candidate, n = slug, 1
    while parent.get_children().filter(slug=candidate).exists():
        n += 1
        candidate = f"{slug}-{n}"
    return candidate


@transaction.atomic
def create_broker(
    slug: str,
    *,
    name: str,
    email: str = "",
    anbieternr: str | None = None,
    anid: str = "",
    approved: bool = False,
    language: str | None = None,
    parent: Page | None = None,
) -> Broker:
    """Create a broker and its ``ListingIndexPage`` (under the site's root page by default).

    Refused (``BrokerError``): a slug that is not a slug or is taken, an invalid e-mail
    address, an ``anbieternr`` or ANID another broker has already -- two brokers with the
    same identifiers would each have the other's files refused.
    """
    try:
        validate_slug(slug)
    except ValidationError:
        raise BrokerError(
            f"{slug!r} is not a valid slug: use letters, digits, hyphens and underscores."
        ) from None
    if len(slug) > Broker._meta.get_field("slug").max_length:
        raise BrokerError(f"The slug {slug!r} is too long.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise BrokerError(f"{email!r} is not a valid e-mail address.") from None
    if Broker.objects.filter(slug=slug).exists():
        raise BrokerError(f"A broker with the slug {slug!r} exists already.")
    if anbieternr and Broker.objects.filter(anbieternr__iexact=anbieternr.strip()).exists():
        raise BrokerError(f"Another broker has anbieternr {anbieternr!r} already.")
    if anid:
        owner = next((b for b in Broker.objects.all() if b.matches_anbieter(None, anid)), None)
        if owner is not None:
            raise BrokerError(f"The ANID {anid!r} belongs to broker {owner.slug!r} already.")
    parent = parent or default_root_page()
    index = ListingIndexPage(title=name, slug=_free_slug(parent, slug))
    parent.add_child(instance=index)
    index.save_revision().publish()
    return Broker.objects.create(
        slug=slug,
        name=name,
        email=email,
        anbieternr=anbieternr or None,
        openimmo_anid=anid or "",
        import_approved=approved,
        language=language or default_report_language(),
        index_page=index,
    )


@transaction.atomic
def set_ftp_account(
    broker: Broker, username: str, password: str | None = None
) -> tuple[FTPAccount, bool, str | None]:
    """Create or reset ``broker``'s own FTP account ``username`` (folder = user name).

    Returns ``(account, created, generated_password)``; the generated password is None when
    ``password`` was given. An account of another broker is never touched.
    """
    try:
        validate_username(username)
    except ValidationError as exc:
        raise BrokerError(f"Invalid FTP user name {username!r}: {' '.join(exc.messages)}") from exc
    if password is not None and len(password) < 8:
        raise BrokerError("Use an FTP password of at least 8 characters.")
    generated = None if password is not None else generate_password()
    account = FTPAccount.objects.filter(username=username).first()
    created = account is None
    if account is not None:
        owners = set(account.brokers.values_list("pk", flat=True))
        if owners != {broker.pk}:
            raise BrokerError(
                f"The FTP account {username!r} is not {broker.slug}'s own account; "
                "change it in the admin."
            )
    else:
        try:
            validate_folder(username)
        except ValidationError as exc:
            raise BrokerError(f"{username!r} cannot be a folder name.") from exc
        if FTPAccount.objects.filter(folder=username).exists():
            raise BrokerError(f"Another FTP account uses the folder {username!r} already.")
        account = FTPAccount(username=username, folder=username)
    account.set_password(password if password is not None else generated)
    account.is_active = True
    account.save()
    account.brokers.set([broker])
    return account, created, generated
