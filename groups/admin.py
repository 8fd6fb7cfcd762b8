# Groups hold client data (members, attendance, notes): not in the Django admin.
