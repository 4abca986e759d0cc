"""Rate limiters by name: the words that say a decorator, middleware or dependency limits requests.
"""

from __future__ import annotations

from ..words import split_words

_LIMIT_WORDS = frozenset({
    "ratelimit", "ratelimited", "ratelimiter", "ratelimits", "ratelimiting", "throttle", "throttled", "throttles",
    "throttling", "throttler", "limiter", "limiters", "bruteforce", "brute", "lockout", "axes",
})


_RATE_NEXT = frozenset({"limit", "limits", "limited", "limiter", "limiting"})


# These only turn a limiter's exception into a response; they limit nothing themselves.
NOT_LIMITERS = frozenset({"django_ratelimit.middleware.RatelimitMiddleware", "ratelimit.middleware.RatelimitMiddleware",
                           "slowapi.middleware.SlowAPIMiddleware", "slowapi.middleware.SlowAPIASGIMiddleware",
                           "slowapi._rate_limit_exceeded_handler"})


def words_say_limit(words: list[str] | set[str]) -> bool:
    ordered = list(words)
    if _LIMIT_WORDS & set(ordered):
        return True
    # "rate limit", and the token or leaky bucket (the algorithm most home-made limiters implement)
    return any(a == "rate" and b in _RATE_NEXT or a in ("token", "leaky") and b == "bucket"
               for a, b in zip(ordered, ordered[1:], strict=False))


def text_says_limit(text: str) -> bool:
    return words_say_limit(split_words(text))
