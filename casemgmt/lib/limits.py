"""Limits on input shared by the models, the forms and the API parser."""

#: The longest free text one field may hold (about eight pages): a model TextField's
#: ``max_length`` (enforced by forms and serializers, shown as the textarea's maxlength),
#: and the longest string the API's JSON parser accepts in any value.
FREE_TEXT_MAX_LENGTH = 20_000
