package io.sightline.describer;

import io.sightline.core.ImageDecodeException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which network images a store may fetch while it ingests references, and how long a download may
 * take. Image URLs in a {@code refs.jsonl} file are fetched only when the caller allows their
 * hosts: a references file from elsewhere must not make the ingesting machine call internal
 * services. By default ({@link #NONE}) no URL is fetched.
 *
 * <p>An allowed URL is still refused when its host resolves to a loopback, private, link-local or
 * otherwise internal address, unless {@link #withPrivateAddresses(boolean)} allows them. Redirects
 * are followed (at most 5) only to hosts the policy allows, each checked the same way. One
 * download, redirects included, gets {@link #timeout()} in all (default 20 s); a slower download
 * fails that image alone.
 *
 * <p>Known limit: the address check and the connection resolve the host separately, so a DNS
 * server that answers differently within milliseconds (DNS rebinding) is not stopped; list only
 * hosts you trust.
 *
 * @param hosts allowed host names, lower case (an entry {@code *} allows every host)
 * @param privateAddresses whether hosts resolving to internal addresses may be fetched
 * @param timeout time budget of one download, redirects included
 */
public record UrlPolicy(Set<String> hosts, boolean privateAddresses, Duration timeout) {
  /** No URL is fetched. */
  public static final UrlPolicy NONE = new UrlPolicy(Set.of(), false, Duration.ofSeconds(20));

  /** Validates and copies. */
  public UrlPolicy {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("URL timeout must be positive: " + timeout);
    }
    TreeSet<String> h = new TreeSet<>();
    for (String s : hosts) {
      String t = s.trim().toLowerCase(Locale.ROOT);
      if (t.isEmpty() || t.contains("/") || t.contains(":") && !t.startsWith("[")) {
        throw new IllegalArgumentException("not a host name: \"" + s + "\" (give hosts like example.org, or *)");
      }
      h.add(t);
    }
    hosts = Set.copyOf(h);
  }

  /**
   * @param hosts host names to allow ({@code *}: any public host)
   * @return a policy fetching images from these hosts only (public addresses, 20 s per download)
   */
  public static UrlPolicy hosts(Collection<String> hosts) {
    return new UrlPolicy(Set.copyOf(hosts), false, Duration.ofSeconds(20));
  }

  /**
   * @param commaSeparated e.g. {@code "images.example.org,cdn.example.org"} or {@code "*"}
   * @return the policy for these hosts
   * @throws IllegalArgumentException when an entry is not a host name
   */
  public static UrlPolicy parse(String commaSeparated) {
    TreeSet<String> h = new TreeSet<>();
    for (String s : commaSeparated.split(",")) {
      if (!s.isBlank()) {
        h.add(s);
      }
    }
    if (h.isEmpty()) {
      throw new IllegalArgumentException("no host given (give hosts like example.org, or *)");
    }
    return hosts(h);
  }

  /**
   * @param allow whether hosts that resolve to loopback, private or link-local addresses may be
   *     fetched (e.g. an image server on the company network)
   * @return a copy with that setting
   */
  public UrlPolicy withPrivateAddresses(boolean allow) {
    return new UrlPolicy(hosts, allow, timeout);
  }

  /**
   * @param budget time budget of one download, redirects included
   * @return a copy with that budget
   */
  public UrlPolicy withTimeout(Duration budget) {
    return new UrlPolicy(hosts, privateAddresses, budget);
  }

  /** @return whether no URL may be fetched */
  public boolean isOff() {
    return hosts.isEmpty();
  }

  /**
   * @param uri an http(s) URL
   * @return whether its host is on the list (addresses are checked at download time)
   */
  public boolean allowsHost(URI uri) {
    String host = uri.getHost();
    return host != null && (hosts.contains("*") || hosts.contains(host.toLowerCase(Locale.ROOT)));
  }

  /**
   * Checks a URL before it is requested: scheme, host on the list, and (unless allowed) a public
   * address.
   *
   * @param uri the URL about to be requested (the first one or a redirect's target)
   * @throws ImageDecodeException naming the URL and the rule it breaks
   */
  void check(URI uri) {
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
      throw new ImageDecodeException(uri + ": only http and https image URLs are fetched");
    }
    if (!allowsHost(uri)) {
      throw new ImageDecodeException(uri + ": host " + uri.getHost() + " is not in the allowed list "
          + (hosts.isEmpty() ? "(image URLs are off)" : hosts));
    }
    if (privateAddresses) {
      return;
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(uri.getHost());
    } catch (UnknownHostException e) {
      throw new ImageDecodeException(uri + ": unknown host " + uri.getHost(), e);
    }
    for (InetAddress a : addresses) {
      if (isInternal(a)) {
        throw new ImageDecodeException(uri + ": host " + uri.getHost() + " resolves to the internal address "
            + a.getHostAddress() + "; internal addresses are fetched only when allowed");
      }
    }
  }

  /** Loopback, private (RFC 1918, IPv6 ULA), link-local, carrier-grade NAT, any-local, multicast. */
  static boolean isInternal(InetAddress a) {
    if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
        || a.isMulticastAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet6Address) {
      return (b[0] & 0xFE) == 0xFC; // fc00::/7
    }
    int first = b[0] & 0xFF;
    int second = b[1] & 0xFF;
    return first == 0 || first == 100 && second >= 64 && second < 128; // 0/8, 100.64/10
  }
}
