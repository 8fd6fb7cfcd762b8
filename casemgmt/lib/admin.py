"""Django admin helpers shared by the apps."""

from django.contrib import admin


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """An admin that lists and shows rows but never adds, changes or deletes one (the
    outbox): what it shows is written by the apps' services only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
