"""Keep the crawler on the public web: refuse non-HTTP schemes and private, loopback or link-local hosts.

``AddressGuardMiddleware`` is a downloader middleware enabled at priority 50, so it sees every request the
engine schedules: spider requests, robots.txt requests and every redirect hop (``RedirectMiddleware`` and
``MetaRefreshMiddleware`` hand each new hop back to the engine, which runs it through the whole chain again).
A redirect whose ``Location`` is not http(s) (Scrapy leaves those unfollowed and passes the 3xx on) is refused
here too, so it is logged and counted like the rest.

A request is refused (``IgnoreRequest``, one WARNING line, stats key ``aiwatch/blocked/<reason>``) when

* its scheme is not ``http`` or ``https`` (``file:``, ``ftp:``, ``data:``, ``gopher:``): reason ``scheme``;
* its host is an IP literal, in any spelling (``2130706433``, ``0x7f.1``, ``0177.0.0.1``, ``[::ffff:7f00:1]``)
  or a name any of whose addresses is loopback, private, link-local, multicast, reserved, unspecified or
  otherwise not globally routable: reason ``loopback``, ``private``, ``link_local``, ``multicast``,
  ``reserved``, ``unspecified`` or ``non_global``;
* its host name does not resolve: reason ``unresolvable``;

unless the request's origin ``scheme://host:port`` is listed in the setting ``AIWATCH_TRUSTED_ORIGINS`` (the
crawler fills it from the URLs the user gave). Trust is per origin, port included: trusting
``http://127.0.0.1:8001`` does not make ``http://127.0.0.1:9000`` reachable. Trust follows redirect chains:
a hop is trusted only when every URL before it in the chain (``request.meta["redirect_urls"]``) was trusted
too, so an untrusted public host that redirects to a trusted loopback origin is refused like any other
redirect to a non-public address.

Names are resolved with ``socket.getaddrinfo`` in a worker thread and the verdict is cached per host.
DNS-rebinding caveat: the guard's lookup and the download's connection are two lookups, so a hostile DNS
server could answer a public address to the first and a private one to the second. To narrow that window the
guard pins the IPv4 address it checked into Scrapy's resolver cache (``scrapy.resolver.dnscache``) when the
installed resolver is ``CachingThreadedResolver`` (or ``StaticHostsResolver``), so the connection uses the
address that was checked; a cache eviction between check and connect reopens the window. Running the crawler
behind an egress firewall that drops private destinations is the complete fix.

Test-only hook: the setting ``AIWATCH_TEST_PUBLIC_HOSTS`` (dict host name -> loopback IP) makes
``StaticHostsResolver`` (install it with ``TWISTED_DNS_RESOLVER =
"aiwatch.crawler.middlewares.safety.StaticHostsResolver"``)
connect to that IP for that name, and makes the guard treat that name as a public host. It exists so tests
can serve "public-looking" hosts such as ``news.example`` from 127.0.0.1; never set it in production.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.resolver import CachingThreadedResolver, dnscache
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer
from twisted.internet.threads import deferToThread

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}
TEST_HOSTS_SETTING = "AIWATCH_TEST_PUBLIC_HOSTS"
TRUSTED_SETTING = "AIWATCH_TRUSTED_ORIGINS"
STATS_PREFIX = "aiwatch/blocked/"
# Download handlers for schemes the crawler never needs; merge into DOWNLOAD_HANDLERS as a second wall.
SAFE_DOWNLOAD_HANDLERS: dict[str, None] = {"file": None, "ftp": None, "s3": None, "data": None}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_LEGACY_IPV4 = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}$", re.IGNORECASE)


class BlockedURL(ValueError):
    """A URL the crawler must not fetch; ``reason`` is a short stats key, ``str()`` a one-line message."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def origin_of(url: str) -> str | None:
    """``scheme://host:port`` of a URL with the default port filled in; None if it has no host.

    >>> origin_of("HTTP://Example.COM/a?b")
    'http://example.com:80'
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not host:
        return None
    if port is None:
        port = DEFAULT_PORTS.get(scheme)
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}" if port is not None else f"{scheme}://{host}"


def trusted_origins(urls: Iterable[str]) -> list[str]:
    """The distinct origins of user-given URLs, for the ``AIWATCH_TRUSTED_ORIGINS`` setting."""
    seen: dict[str, None] = {}
    for url in urls:
        origin = origin_of(url)
        if origin:
            seen[origin] = None
    return list(seen)


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a host string denotes by itself, in any spelling a resolver accepts, else None.

    >>> str(parse_ip_literal("2130706433")), str(parse_ip_literal("0x7f.1")), str(parse_ip_literal("[::1]"))
    ('127.0.0.1', '127.0.0.1', '::1')
    """
    host = host.strip().strip("[]").rstrip(".")
    if "%" in host:  # IPv6 zone id, e.g. fe80::1%eth0
        host = host.split("%", 1)[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _LEGACY_IPV4.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def address_problem(address: IPAddress) -> str | None:
    """Why an address is not a public destination (a stats reason), or None if it is public.

    >>> [address_problem(ipaddress.ip_address(a)) for a in ("169.254.169.254", "8.8.8.8")]
    ['link_local', None]
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return address_problem(embedded)
        if address in _NAT64:
            return address_problem(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link_local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non_global", not address.is_global),
    )
    for reason, hit in checks:
        if hit:
            return reason
    return None


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def resolve_host(host: str) -> list[IPAddress]:
    """All addresses ``getaddrinfo`` gives for a host name (blocking; call it in a thread)."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    out: list[IPAddress] = []
    for info in infos:
        addr = parse_ip_literal(str(info[4][0]))
        if addr is not None and addr not in out:
            out.append(addr)
    return out


def check_scheme(url: str) -> None:
    """Raise ``BlockedURL`` unless the URL is http or https."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise BlockedURL("scheme", f"scheme {scheme or '(none)'!r} is not http or https")


def check_addresses(host: str, addresses: Sequence[IPAddress]) -> None:
    """Raise ``BlockedURL`` unless the host has addresses and every one of them is public."""
    if not addresses:
        raise BlockedURL("unresolvable", f"host {host} does not resolve")
    for address in addresses:
        problem = address_problem(address)
        if problem:
            shown = "" if str(address) == host.strip("[]") else f" ({address})"
            kind = problem.replace("_", "-")
            raise BlockedURL(problem, f"host {host}{shown} is not public ({kind} address)")


class AddressGuard:
    """The policy without Scrapy: trusted origins, test hosts, and a bounded cache of host verdicts."""

    def __init__(self, trusted: Iterable[str] = (), test_hosts: Mapping[str, str] | None = None,
                 cache_size: int = 4096):
        self.trusted = frozenset(o for o in (origin_of(u) for u in trusted) if o)
        self.test_hosts = {k.lower(): v for k, v in (test_hosts or {}).items()}
        self.cache_size = cache_size
        self._verdicts: OrderedDict[str, BlockedURL | list[IPAddress]] = OrderedDict()

    def is_trusted(self, url: str, chain: Sequence[str] = ()) -> bool:
        """True when ``url``'s origin is trusted and so is that of every URL that redirected to it.

        >>> guard = AddressGuard(trusted=["http://127.0.0.1:8001/"])
        >>> guard.is_trusted("http://127.0.0.1:8001/a"), guard.is_trusted("http://127.0.0.1:8001/a",
        ...                                                              ["http://news.example/r"])
        (True, False)
        """
        return all(origin_of(u) in self.trusted for u in (*chain, url))

    def precheck(self, url: str, chain: Sequence[str] = ()) -> str | None:
        """Decide what needs no DNS; return the host still to resolve, or None when the URL is allowed.

        ``chain`` lists the URLs that redirected to ``url``, first one first. Raises ``BlockedURL`` for bad
        schemes and non-public IP literals.
        """
        check_scheme(url)
        if self.is_trusted(url, chain):
            return None
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            raise BlockedURL("scheme", "URL has no valid host") from None
        if not host:
            raise BlockedURL("scheme", "URL has no host")
        if host in self.test_hosts:
            return None
        literal = parse_ip_literal(host)
        if literal is not None:
            check_addresses(host, [literal])
            return None
        cached = self._verdicts.get(host)
        if cached is not None:
            self._verdicts.move_to_end(host)
            if isinstance(cached, BlockedURL):
                raise cached
            return None
        return host

    def record(self, host: str, addresses: list[IPAddress]) -> list[IPAddress]:
        """Check and cache the resolved addresses of a host; raise ``BlockedURL`` if any is not public."""
        try:
            check_addresses(host, addresses)
        except BlockedURL as exc:
            self._remember(host, exc)
            raise
        self._remember(host, addresses)
        return addresses

    def check_blocking(self, url: str) -> None:
        """The whole check with a blocking lookup (plain code and tests; the middleware uses a thread)."""
        host = self.precheck(url)
        if host is not None:
            try:
                addresses = resolve_host(host)
            except OSError:
                addresses = []
            self.record(host, addresses)

    def _remember(self, host: str, verdict: BlockedURL | list[IPAddress]) -> None:
        self._verdicts[host] = verdict
        while len(self._verdicts) > self.cache_size:
            self._verdicts.popitem(last=False)


def _resolve_quietly(host: str) -> list[IPAddress]:
    try:
        return resolve_host(host)
    except (OSError, UnicodeError):
        return []


class AddressGuardMiddleware:
    """Downloader middleware refusing non-HTTP schemes and non-public destinations (see module doc)."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.guard = AddressGuard(
            trusted=settings.getlist(TRUSTED_SETTING),
            test_hosts=settings.getdict(TEST_HOSTS_SETTING),
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        try:
            host = self.guard.precheck(request.url, request.meta.get("redirect_urls") or ())
            if host is not None:
                addresses = await maybe_deferred_to_future(deferToThread(_resolve_quietly, host))
                self.guard.record(host, addresses)
                _pin(host, addresses)
        except BlockedURL as exc:
            self._refuse(request, exc)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        """Refuse, log and count a redirect that Scrapy left unfollowed because its target is not http(s)."""
        location = response.headers.get(b"Location") if 300 <= response.status < 400 else None
        if location:
            target = urljoin(request.url, location.decode("latin-1").strip())
            try:
                check_scheme(target)
            except BlockedURL as exc:
                self._refuse(request, exc, target=target)
        return response

    def _refuse(self, request: Request, exc: BlockedURL, target: str | None = None) -> None:
        if target is not None:
            message = f"blocked redirect to {target} from {request.url}: {exc}"
        else:
            via = request.meta.get("redirect_urls") or []
            origin = f" (redirected from {via[0]})" if via else ""
            message = f"blocked {request.url}{origin}: {exc}"
        logger.warning(message)
        if self.stats is not None:
            self.stats.inc_value(STATS_PREFIX + exc.reason)
        raise IgnoreRequest(message)


def _pin(host: str, addresses: list[IPAddress]) -> None:
    """Put the checked IPv4 address in Scrapy's resolver cache so the connection uses it (see module doc)."""
    from twisted.internet import reactor

    if not isinstance(getattr(reactor, "resolver", None), CachingThreadedResolver) or not dnscache.limit:
        return
    for address in addresses:
        if isinstance(address, ipaddress.IPv4Address):
            dnscache[host] = str(address)
            return


class StaticHostsResolver(CachingThreadedResolver):
    """Scrapy's caching resolver plus fixed answers from ``AIWATCH_TEST_PUBLIC_HOSTS`` (test-only hook).

    Install with ``TWISTED_DNS_RESOLVER = "aiwatch.crawler.middlewares.safety.StaticHostsResolver"`` in the
    process settings; with the setting empty it behaves exactly like ``CachingThreadedResolver``.
    """

    def __init__(self, reactor: Any, cache_size: int, timeout: float, hosts: Mapping[str, str] | None = None):
        super().__init__(reactor, cache_size, timeout)
        self.hosts = {k.lower(): v for k, v in (hosts or {}).items()}

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> StaticHostsResolver:
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        hosts = settings.getdict(TEST_HOSTS_SETTING)
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"), hosts)

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:  # noqa: N802 (Twisted API)
        fixed = self.hosts.get(name.lower())
        if fixed is not None:
            return defer.succeed(fixed)
        return super().getHostByName(name, timeout)
