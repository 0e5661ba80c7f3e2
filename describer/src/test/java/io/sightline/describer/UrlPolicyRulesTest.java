package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.ImageDecodeException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which image URLs a store may fetch, without a network: host lists, schemes, internal addresses. */
class UrlPolicyRulesTest {

  @Test
  void hostListsAreNormalisedAndChecked() {
    UrlPolicy p = UrlPolicy.parse(" Images.Example.ORG ,,cdn.example.org, [::1]");
    assertThat(p.hosts()).containsExactlyInAnyOrder("images.example.org", "cdn.example.org", "[::1]");
    assertThat(p.privateAddresses()).isFalse();
    assertThat(p.timeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(p.isOff()).isFalse();
    assertThat(UrlPolicy.NONE.isOff()).isTrue();
    assertThat(UrlPolicy.hosts(List.of("a.org")).hosts()).containsExactly("a.org");
    for (String bad : List.of("a.org/x", "a.org:8080", "  ")) {
      assertThatThrownBy(() -> UrlPolicy.hosts(List.of(bad))).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a host name");
    }
    assertThatThrownBy(() -> UrlPolicy.parse(",")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no host");
  }

  @Test
  void theTimeoutMustBePositiveAndCopiesKeepTheOtherSettings() {
    UrlPolicy p = UrlPolicy.parse("a.org");
    UrlPolicy open = p.withPrivateAddresses(true);
    assertThat(open.privateAddresses()).isTrue();
    assertThat(open.hosts()).isEqualTo(p.hosts());
    assertThat(open.timeout()).isEqualTo(p.timeout());
    UrlPolicy quick = open.withTimeout(Duration.ofMillis(1));
    assertThat(quick.timeout()).isEqualTo(Duration.ofMillis(1));
    assertThat(quick.privateAddresses()).isTrue();
    assertThat(quick.hosts()).isEqualTo(p.hosts());
    assertThatThrownBy(() -> p.withTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive");
    assertThatThrownBy(() -> p.withTimeout(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new UrlPolicy(Set.of(), false, null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aHostIsAllowedWhenListedInAnyCaseOrByTheWildcard() {
    UrlPolicy p = UrlPolicy.parse("images.example.org");
    assertThat(p.allowsHost(URI.create("https://IMAGES.example.org/a.png"))).isTrue();
    assertThat(p.allowsHost(URI.create("https://example.org/a.png"))).isFalse();
    assertThat(p.allowsHost(URI.create("file:/tmp/a.png"))).as("no host").isFalse();
    assertThat(UrlPolicy.parse("*").allowsHost(URI.create("http://anything.example.net/x"))).isTrue();
    assertThat(UrlPolicy.parse("*").allowsHost(URI.create("mailto:x@example.org"))).isFalse();
    assertThat(UrlPolicy.NONE.allowsHost(URI.create("http://example.org/"))).isFalse();
  }

  @Test
  void onlyHttpUrlsOfAllowedHostsOnPublicAddressesPassTheCheck() {
    UrlPolicy p = UrlPolicy.parse("8.8.8.8,127.0.0.1,never.invalid");
    assertThatCode(() -> p.check(URI.create("http://8.8.8.8/a.png"))).doesNotThrowAnyException();
    assertThatCode(() -> p.check(URI.create("HTTPS://8.8.8.8/a.png"))).doesNotThrowAnyException();
    assertThatThrownBy(() -> p.check(URI.create("ftp://8.8.8.8/a.png"))).isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("only http and https");
    assertThatThrownBy(() -> p.check(URI.create("//8.8.8.8/a.png"))).isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("only http and https");
    assertThatThrownBy(() -> p.check(URI.create("http://9.9.9.9/a.png"))).isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("host 9.9.9.9 is not in the allowed list [");
    assertThatThrownBy(() -> UrlPolicy.NONE.check(URI.create("http://9.9.9.9/a.png")))
        .isInstanceOf(ImageDecodeException.class).hasMessageContaining("(image URLs are off)");
    assertThatThrownBy(() -> p.check(URI.create("http://127.0.0.1/a.png"))).isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("internal address 127.0.0.1");
    UrlPolicy internal = p.withPrivateAddresses(true);
    assertThatCode(() -> internal.check(URI.create("http://127.0.0.1/a.png"))).doesNotThrowAnyException();
    // with internal addresses allowed the host is not even resolved
    assertThatCode(() -> internal.check(URI.create("http://never.invalid/a.png"))).doesNotThrowAnyException();
  }

  @Test
  void rangeEdgesOfTheInternalAddresses() throws Exception {
    for (String a : List.of("100.64.0.0", "100.127.255.255", "0.1.2.3", "224.0.0.1", "fc00::1", "fdff::1",
        "::", "10.0.0.0")) {
      assertThat(UrlPolicy.isInternal(InetAddress.getByName(a))).as(a).isTrue();
    }
    for (String a : List.of("100.63.255.255", "100.128.0.0", "99.64.0.1", "101.64.0.1", "1.0.0.1", "fb00::1",
        "fe00::1", "2a00::1")) {
      assertThat(UrlPolicy.isInternal(InetAddress.getByName(a))).as(a).isFalse();
    }
  }
}
