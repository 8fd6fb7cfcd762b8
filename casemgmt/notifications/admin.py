from django.contrib import admin

from casemgmt.lib.admin import ReadOnlyModelAdmin

from .models import OutboxMessage

# Notifications are not here: their titles name clients (read them in the app). The
# outbox is: a row holds a user id, a template name and ids, no address or client data.


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyModelAdmin):
    """What left (or could not leave) the system. Failed messages are not retried: the
    list's "Failed" filter shows them with the error; "Send again" queues them anew."""

    list_display = (
        "id",
        "created_at",
        "channel",
        "template",
        "recipient",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )
    list_filter = ("state", "channel", "template")
    list_select_related = ("recipient",)
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["send_again"]
    date_hierarchy = "created_at"

    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.is_active and (user.is_superuser or user.is_admin_role)

    def has_send_again_permission(self, request):
        return self.has_view_permission(request)

    @admin.action(
        description="Send again (failed or retrying messages)", permissions=["send_again"]
    )
    def send_again(self, request, queryset):
        from .services import outbox_retry

        count = outbox_retry(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} message(s) queued to be sent again.")
