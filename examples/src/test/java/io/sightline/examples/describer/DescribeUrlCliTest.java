package io.sightline.examples.describer;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.examples.CliRun;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code describe index} fetches image URLs only from hosts given with --allow-urls. */
class DescribeUrlCliTest {
  static final Path FLAGS = Path.of("../testdata/flags");
  @TempDir
  static Path tmp;
  static com.sun.net.httpserver.HttpServer server;
  static Path refs;

  @BeforeAll
  static void serve() throws Exception {
    byte[] png = Files.readAllBytes(FLAGS.resolve("peru.png"));
    server = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/peru.png", ex -> {
      ex.sendResponseHeaders(200, png.length);
      ex.getResponseBody().write(png);
      ex.close();
    });
    server.start();
    Files.copy(FLAGS.resolve("japan.png"), tmp.resolve("japan.png"));
    refs = tmp.resolve("refs.jsonl");
    Files.writeString(refs, "{\"id\":\"peru\",\"image\":\"http://127.0.0.1:" + server.getAddress().getPort()
        + "/peru.png\",\"title\":\"Flag of Peru\"}\n{\"id\":\"japan\",\"image\":\"japan.png\",\"title\":\"Flag of Japan\"}\n",
        StandardCharsets.UTF_8);
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  private static CliRun index(String db, String... more) {
    String[] base = {"describe", "index", "--refs", refs.toString(), "--db", tmp.resolve(db).toString()};
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return CliRun.of(all);
  }

  @Test
  void urlsAreOffUnlessTheHostIsAllowedAndInternalAddressesNeedTheirOwnFlag() throws Exception {
    CliRun off = index("db-off");
    assertThat(off.out() + off.err()).contains("--allow-urls 127.0.0.1");
    assertThat(off.lines().get(0).get("added").asLong()).as(off.out()).isEqualTo(1);

    CliRun internal = index("db-internal", "--allow-urls", "127.0.0.1");
    assertThat(internal.out() + internal.err()).contains("internal address 127.0.0.1");
    assertThat(internal.lines().get(0).get("added").asLong()).isEqualTo(1);

    CliRun allowed = index("db-allowed", "--allow-urls", "127.0.0.1", "--allow-private-urls");
    assertThat(allowed.code()).as(allowed.err()).isZero();
    assertThat(allowed.lines().get(0).get("added").asLong()).as(allowed.out()).isEqualTo(2);
  }

  @Test
  void badUrlOptionsAreUsageErrors() {
    assertThat(index("db-bad1", "--allow-private-urls").code()).isEqualTo(2);
    assertThat(index("db-bad2", "--allow-urls", "127.0.0.1", "--url-timeout", "0").code()).isEqualTo(2);
    assertThat(index("db-bad3", "--allow-urls", "http://x.org/").code()).isEqualTo(2);
  }
}
