from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class VietnameseFirstMiddleware:
    """Ignore the browser's Accept-Language: the interface is Vietnamese unless the user picks English.

    Many officers use browsers set to English; they still expect the Vietnamese interface. The choice made
    with the language selector (a cookie) is what LocaleMiddleware then honours.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
