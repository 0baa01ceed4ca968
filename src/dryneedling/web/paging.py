"""Pages of a list that cost the same in a clinic of any size (issue 14): a page reads its rows
plus one (is there a next page?), and the count stops at a cap ("more than 500") instead of
counting every match."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class BoundedPage:
    object_list: Sequence[Any]
    number: int
    has_next: bool
    count: int  # the matches, at most `cap`
    capped: bool  # more than `count` match
    size: int = 1

    @property
    def num_pages(self) -> int | None:
        """The number of pages, when the count is known (not capped)."""
        return None if self.capped else max(1, -(-self.count // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def page_number(value: str | None, *, last: int = 10_000) -> int:
    """A page number from the query string; anything else (or past `last`) is page 1 or `last`."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return min(max(number, 1), last)


def bounded_page(
    queryset: QuerySet[Any],
    *,
    number: int,
    size: int,
    cap: int | None = None,
    rows: Callable[[list[Any]], Sequence[Any]] = list,
) -> BoundedPage:
    """Page `number` of `queryset` (ordered): `size` rows read as `size + 1`, and with a `cap`, the
    number of matches up to it (one bounded COUNT; a page past the end is then the last). `rows`
    turns the page's records into what the template lists."""
    count, capped = 0, True
    if cap is not None:
        count = queryset.order_by()[: cap + 1].count()
        capped, count = count > cap, min(count, cap)
        if not capped:
            number = min(number, max(1, -(-count // size)))  # past the end: the last page
    start = (number - 1) * size
    found = list(queryset[start : start + size + 1])
    return BoundedPage(rows(found[:size]), number, len(found) > size, count, capped, size)
