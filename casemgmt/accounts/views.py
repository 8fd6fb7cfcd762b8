from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casemgmt.lib.forms import StyledFormMixin

from .selectors import api_token_list
from .services import api_token_revoke


class LoginForm(StyledFormMixin, AuthenticationForm):
    pass


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


@login_required
def token_list(request):
    """The signed-in user's own API tokens, each with a revoke button."""
    return render(
        request,
        "accounts/token_list.html",
        {"tokens": api_token_list(user=request.user), "ttl_days": settings.API_TOKEN_TTL_DAYS},
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    # Only the owner's own tokens here (an admin revokes others' in Django admin): another
    # user's token is a 404, as if it did not exist.
    if not api_token_list(user=request.user).filter(pk=pk).exists():
        raise Http404
    api_token_revoke(actor=request.user, token_id=pk)
    messages.success(request, "Token revoked.")
    return redirect("accounts:tokens")
