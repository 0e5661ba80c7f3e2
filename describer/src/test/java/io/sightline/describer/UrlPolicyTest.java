package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.ImageDecodeException;
import io.sightline.core.ProgressListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image URLs in refs.jsonl: off by default, allowed hosts only, no internal addresses, time budget. */
class UrlPolicyTest {
  @TempDir
  Path tmp;
  com.sun.net.httpserver.HttpServer server;
  int port;

  @BeforeEach
  void serve() throws Exception {
    byte[] png = Files.readAllBytes(Fixtures.FLAGS.resolve("peru.png"));
    server = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext("/peru.png", ex -> {
      ex.sendResponseHeaders(200, png.length);
      ex.getResponseBody().write(png);
      ex.close();
    });
    server.createContext("/slow.png", ex -> {
      try {
        Thread.sleep(4000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.sendResponseHeaders(200, png.length);
      ex.getResponseBody().write(png);
      ex.close();
    });
    server.createContext("/elsewhere.png", ex -> {
      // a redirect to the same server under another host name
      ex.getResponseHeaders().add("Location", "http://localhost:" + port + "/peru.png");
      ex.sendResponseHeaders(302, -1);
      ex.close();
    });
    server.createContext("/same-host.png", ex -> {
      ex.getResponseHeaders().add("Location", "/peru.png");
      ex.sendResponseHeaders(302, -1);
      ex.close();
    });
    server.start();
    port = server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private Path refs(String... imagePaths) throws Exception {
    Files.copy(Fixtures.FLAGS.resolve("japan.png"), tmp.resolve("japan.png"));
    StringBuilder sb = new StringBuilder();
    int i = 0;
    for (String image : imagePaths) {
      sb.append("{\"id\":\"r").append(i++).append("\",\"image\":\"").append(image)
          .append("\",\"title\":\"Flag of Peru\"}\n");
    }
    Path f = tmp.resolve("refs.jsonl");
    Files.writeString(f, sb.toString());
    return f;
  }

  private String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  private static String errors(IngestReport r) {
    return r.errors().stream().map(e -> e.line() + ": " + e.message()).collect(Collectors.joining("\n"));
  }

  @Test
  void urlLinesAreRefusedUnlessTheirHostIsAllowed() throws Exception {
    List<RefsJsonl.Line> lines = RefsJsonl.read(refs(url("/peru.png"), "japan.png"));
    assertThat(lines.get(0).error()).contains("image URLs are not fetched").contains("--allow-urls 127.0.0.1");
    assertThat(lines.get(1).error()).isNull();
    lines = RefsJsonl.read(tmp.resolve("refs.jsonl"), null, UrlPolicy.parse("images.example.org"));
    assertThat(lines.get(0).error()).contains("host 127.0.0.1 is not in the allowed list");
  }

  @Test
  void anAllowedHostOnAnInternalAddressNeedsItsOwnPermission() throws Exception {
    Path f = refs(url("/peru.png"));
    try (ReferenceStore store = ReferenceStore.open(tmp.resolve("db"))) {
      IngestReport r = store.importJsonl(f, null, UrlPolicy.parse("127.0.0.1"), ErrorPolicy.SKIP,
          ProgressListener.NONE, CancellationToken.NONE);
      assertThat(r.added()).isZero();
      assertThat(errors(r)).contains("internal address 127.0.0.1");
      r = store.importJsonl(f, null, UrlPolicy.parse("127.0.0.1").withPrivateAddresses(true), ErrorPolicy.SKIP,
          ProgressListener.NONE, CancellationToken.NONE);
      assertThat(errors(r)).isEmpty();
      assertThat(r.added()).isEqualTo(1);
      assertThat(store.get("r0").orElseThrow().origin()).isEqualTo(Origin.NETWORK);
    }
  }

  @Test
  void redirectsAreFollowedOnlyToAllowedHosts() {
    UrlPolicy local = UrlPolicy.parse("127.0.0.1").withPrivateAddresses(true);
    ImageSource same = ImageSource.ofUrl(URI.create(url("/same-host.png")), local);
    assertThat(same.load(io.sightline.core.image.ImageLoader.defaults()).getWidth()).isPositive();
    ImageSource away = ImageSource.ofUrl(URI.create(url("/elsewhere.png")), local);
    assertThatThrownBy(() -> away.load(io.sightline.core.image.ImageLoader.defaults()))
        .isInstanceOf(ImageDecodeException.class).hasMessageContaining("host localhost is not in the allowed list");
  }

  @Test
  void aSlowDownloadFailsItsOwnLineOnly() throws Exception {
    Path f = refs(url("/slow.png"), "japan.png");
    UrlPolicy p = UrlPolicy.parse("127.0.0.1").withPrivateAddresses(true).withTimeout(Duration.ofSeconds(1));
    try (ReferenceStore store = ReferenceStore.open(tmp.resolve("db"))) {
      long t0 = System.nanoTime();
      IngestReport r = store.importJsonl(f, null, p, ErrorPolicy.SKIP, ProgressListener.NONE,
          CancellationToken.NONE);
      assertThat((System.nanoTime() - t0) / 1e9).isLessThan(3.5);
      assertThat(r.errors()).hasSize(1);
      assertThat(errors(r)).startsWith("1: ").contains("took longer than 1 s");
      assertThat(r.added()).isEqualTo(1);
      assertThat(store.get("r1")).isPresent();
    }
  }

  @Test
  void internalAddressesAreRecognised() throws Exception {
    for (String a : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "::1", "fd00::1", "fe80::1")) {
      assertThat(UrlPolicy.isInternal(InetAddress.getByName(a))).as(a).isTrue();
    }
    for (String a : List.of("8.8.8.8", "93.184.216.34", "100.128.0.1", "2001:4860:4860::8888")) {
      assertThat(UrlPolicy.isInternal(InetAddress.getByName(a))).as(a).isFalse();
    }
  }

  @Test
  void badHostListsAreRefused() {
    assertThatThrownBy(() -> UrlPolicy.parse(" , ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UrlPolicy.parse("http://x.org/")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a host name");
  }
}
