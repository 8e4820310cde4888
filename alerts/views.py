"""The public pages of email alerts: asking for them, confirming, managing and
leaving. None is stored by the page cache (PAGE_CACHE_NEVER_CACHED) and none
names an address in its URL: the emails' links carry signed tokens."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from alerts import limits, subscriptions, tokens
from alerts.forms import FrequencyForm, SubscribeForm
from factsheets.models import Bureau, Country


def bad_link():
    return (
        "This link is not valid, or it has expired. Links to confirm alerts work for "
        f"{settings.ALERTS_CONFIRM_DAYS} days; ask for alerts again from any fact "
        "sheet's page."
    )


# The form sits on cached public pages, which carry no CSRF token. A forged post can
# only ask for a confirmation email, which the limits below bound: one a day to an
# address, and ALERTS_REQUESTS_PER_HOUR from a client.
@csrf_exempt
@sensitive_post_parameters("email")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    """GET: the form for a list (?country= or ?bureau=, or everything). POST: ask."""
    if request.method != "POST":
        country, bureau = _list_named(request.GET)
        if (request.GET.get("country") and not country) or (
            request.GET.get("bureau") and not bureau
        ):
            raise Http404("No such fact sheet or bureau")
        return _form_page(request, SubscribeForm(), country, bureau)
    if not limits.allowed(request):
        refused = render(
            request,
            "alerts/too_many.html",
            {"breadcrumbs": [("Email alerts", None)]},
            status=429,
        )
        refused["Retry-After"] = str(limits.HOUR)
        return refused
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, *_list_named(request.POST), status=400)
    if not form.is_robot:
        data = form.cleaned_data
        subscriptions.ask(
            data["email"],
            data["frequency"],
            country=data["country_obj"],
            bureau=data["bureau_obj"],
        )
    # The same answer whatever the address, known or not.
    return redirect("alerts:check_email")


def _list_named(query):
    """The country and the bureau a query's slugs name (None for one not named or
    not found)."""
    country, bureau = query.get("country"), query.get("bureau")
    return (
        Country.objects.filter(slug=country).first() if country else None,
        Bureau.objects.filter(slug=bureau).first() if bureau else None,
    )


def _form_page(request, form, country, bureau, status=200):
    context = {
        "form": form,
        "records_days": settings.ALERTS_RECORDS_DAYS,
        "country": country,
        "bureau": bureau,
        "noindex": True,
        "breadcrumbs": [("Email alerts", None)],
    }
    return render(request, "alerts/subscribe.html", context, status=status)


@never_cache
def check_email(request):
    return render(
        request,
        "alerts/check_email.html",
        {
            "confirm_days": settings.ALERTS_CONFIRM_DAYS,
            "noindex": True,
            "breadcrumbs": [("Email alerts", None)],
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """GET shows what the link confirms, and a button: mail scanners fetch links,
    and a fetch must not confirm. POST confirms."""
    read = tokens.read_confirm(token)
    subscriber = subscriptions.subscriber_by_key(read[0]) if read else None
    if subscriber is None:
        return _bad_link(request)
    asked_until = read[1]
    context = {"noindex": True, "breadcrumbs": [("Email alerts", None)]}
    context["manage_url"] = _manage_url(subscriber)
    if request.method == "POST":
        context["confirmed"] = subscriptions.confirm(subscriber, asked_until)
        context["following"] = _following(subscriber)
        return render(request, "alerts/confirmed.html", context)
    context["waiting"] = list(
        subscriptions.waiting(subscriber, asked_until).select_related(
            "country", "bureau"
        )
    )
    return render(request, "alerts/confirm.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token):
    """The reader's lists: how often each, leave one, or leave them all."""
    subscriber = subscriptions.subscriber_by_key(tokens.read_manage(token))
    if subscriber is None:
        return _bad_link(
            request, "This link is not valid, or its alerts have all been stopped."
        )
    context = {"noindex": True, "breadcrumbs": [("Email alerts", None)]}
    if request.method == "POST":
        chosen = subscriber.subscriptions.filter(
            pk=_number(request.POST.get("subscription"))
        ).first()
        action = request.POST.get("action")
        if action == "leave_all":
            subscriptions.leave(subscriber, list(subscriber.subscriptions.all()))
            return render(request, "alerts/left.html", {**context, "everything": True})
        if chosen is None:
            context["problem"] = (
                "That list is no longer one you follow. Nothing was changed."
            )
        elif action == "leave":
            if subscriptions.leave(subscriber, [chosen]):
                return render(
                    request, "alerts/left.html", {**context, "everything": True}
                )
            context["done"] = f"You no longer get alerts for {chosen.list_name}."
        elif action == "frequency":
            form = FrequencyForm(request.POST)
            if form.is_valid():
                subscriptions.change_frequency(chosen, form.cleaned_data["frequency"])
                chosen.frequency = form.cleaned_data["frequency"]
                context["done"] = (
                    f"You now get alerts for {chosen.list_name} "
                    f"{chosen.get_frequency_display().lower()}."
                )
            else:
                context["problem"] = (
                    "Choose how often from the list. Nothing was changed."
                )
        else:
            context["problem"] = "Choose what to change. Nothing was changed."
    context["subscriptions"] = [
        (s, FrequencyForm(initial={"frequency": s.frequency}, auto_id=f"id_%s_{s.pk}"))
        for s in subscriber.subscriptions.select_related("country", "bureau").order_by(
            "confirmed_at", "pk"
        )
    ]
    return render(request, "alerts/manage.html", context)


# Mail programs post here with no cookie (RFC 8058, one-click unsubscribe); the
# signed token is what authorises it.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def leave(request, token):
    """GET: a button (mail scanners fetch links). POST: leave, at once."""
    value = tokens.read_leave(token)
    subscriber = subscriptions.subscriber_by_key(value.get("k")) if value else None
    if subscriber is None:
        return _bad_link(
            request, "This link is not valid, or these alerts were stopped already."
        )
    context = {"noindex": True, "breadcrumbs": [("Email alerts", None)]}
    if request.method == "POST":
        manage_url = _manage_url(subscriber)
        context["left"], forgotten = subscriptions.leave_by_token(subscriber, value)
        if not forgotten:
            context["manage_url"] = manage_url
        return render(request, "alerts/left.html", context)
    return render(request, "alerts/leave.html", context)


def _number(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _manage_url(subscriber):
    return reverse("alerts:manage", args=[tokens.manage(subscriber)])


def _following(subscriber):
    return list(
        subscriber.subscriptions.confirmed().select_related("country", "bureau")
    )


def _bad_link(request, problem=None):
    return render(
        request,
        "alerts/bad_link.html",
        {
            "problem": problem or bad_link(),
            "noindex": True,
            "breadcrumbs": [("Email alerts", None)],
        },
        status=404,
    )
