class ReadOnly:
    """An admin that shows but never writes: these records change only through services,
    whose guards and audit rows a form would bypass."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
