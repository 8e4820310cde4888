"""The staff member's own notice preferences, linked from every admin page's top."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from notices.forms import PreferenceForm
from notices.models import Email, Kind, Preference


def preferences(request, model_admin):
    preference = Preference.objects.filter(user=request.user).first() or Preference(
        user=request.user
    )
    form = PreferenceForm(
        request.POST if request.method == "POST" else None, instance=preference
    )
    if request.method == "POST":
        if form.is_valid():
            saved = form.save()
            messages.success(request, f"Your email notices are saved: {summary(saved)}")
            return redirect("admin:notices_preferences")
        messages.error(request, "Nothing was saved: please correct the choice below.")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Email notices",
        "form": form,
        "address": request.user.email,
        # Told here too, since the person is the one who can fix their address.
        "undelivered": Email.objects.filter(
            recipient=request.user, state=Email.State.FAILED
        ).order_by("-created_at")[:5],
        "opts": Preference._meta,
        "digest_hour": settings.NOTICES_DIGEST_HOUR,
        "time_zone": settings.TIME_ZONE,
    }
    return TemplateResponse(request, "admin/notices/preferences.html", context)


def summary(preference):
    wanted = [label for kind, label in Kind.choices if preference.wants(kind)]
    if not wanted:
        return "none, you will get no notices."
    how = (
        "once a day"
        if preference.delivery == Preference.Delivery.DAILY
        else "one email each, as they happen"
    )
    return f"{how}, when: " + "; ".join(label.lower() for label in wanted) + "."
