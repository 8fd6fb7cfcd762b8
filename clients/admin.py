# Client data is not registered in the Django admin on purpose: every read and change
# of client data goes through the app's views and API, which scope it and audit it.
