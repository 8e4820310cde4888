"""Old addresses lead to the sheets' new ones (issue #8): placeholder until built."""


class LegacyAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
