"""Creating brokers together with the page their listings live under."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Page, Site

from .conf import get_setting
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


def find_parent_page(value: int | str | None) -> Page:
    """The page a broker's listing index goes under.

    ``value`` is a page id (``42``) or a URL path below the default site's root page
    (``"/immobilien/"``; ``"/"`` is the root page itself). ``None``: the setting
    ``BROKER_PARENT_PAGE`` (same forms), else the default site's root page.
    """
    if value is None or value == "":
        value = get_setting("BROKER_PARENT_PAGE")
        if value is None or value == "":
            return default_root_page()
    text = str(value).strip()
    if text.isdigit():
        page = Page.objects.filter(pk=int(text)).first()
        if page is None:
            raise BrokerError(f"There is no page with the id {text}.")
        return page.specific
    if not text.startswith("/"):
        raise BrokerError(
            f"{text!r} is neither a page id nor a URL path such as /immobilien/ (below the "
            "default site's root page)."
        )
    root = default_root_page()
    parts = [part for part in text.split("/") if part]
    url_path = root.url_path + "".join(f"{part}/" for part in parts)
    page = Page.objects.filter(url_path=url_path).first()
    if page is None:
        raise BrokerError(f"There is no page at {text!r} on the default site.")
    return page.specific


def check_parent_page(parent: Page) -> None:
    """Refuse a parent under which a listing index may not be created: the parent's
    ``subpage_types``, the index's ``parent_page_types`` and ``max_count``, as in the admin."""
    if not ListingIndexPage.can_create_at(parent):
        raise BrokerError(
            f"A listing index page cannot be created under {parent.title!r} (page {parent.pk}, "
            f"{parent.specific_class._meta.verbose_name}): its page type does not allow it. "
            "Choose another parent with --parent ID or --parent /path/."
        )


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
    parent: Page | int | str | None = None,
) -> Broker:
    """Create a broker and its ``ListingIndexPage`` under ``parent``: a page, a page id or a
    URL path (see ``find_parent_page``); by default ``BROKER_PARENT_PAGE`` or the default
    site's root page. A parent whose page type does not allow listing indexes is refused.

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
    if not isinstance(parent, Page):
        parent = find_parent_page(parent)
    check_parent_page(parent)
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
