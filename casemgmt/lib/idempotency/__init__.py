"""One save per click: a create form's one-time submission key, the API's
``Idempotency-Key`` header, and the stored first result that a repeat gets back.

A small Django app in ``casemgmt.lib`` (it knows no other app of the project): the model
``SubmissionKey``, the middleware ``OneSavePerClickMiddleware``, the template partial
``partials/submission_key.html`` (with ``static/js/submission_key.js``) and the sweep
that forgets keys after ``IDEMPOTENCY_KEY_TTL_HOURS``.
"""
