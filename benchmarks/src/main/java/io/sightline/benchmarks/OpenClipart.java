package io.sightline.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Finds the openclipart PNG collection (Debian package {@code openclipart-png}, CC0): the folder
 * given by {@code -Dopenclipart.dir}, the installed package under /usr/share/openclipart/png, or
 * else it fetches the package itself with {@code apt-get download openclipart-png} and unpacks it
 * with {@code dpkg -x} under {@code target/openclipart}. No other source is ever used.
 */
public final class OpenClipart {
  private OpenClipart() {}

  /**
   * @return the png root folder (category sub-folders inside)
   * @throws IOException when it cannot be found or fetched
   */
  public static Path root() throws IOException {
    String prop = System.getProperty("openclipart.dir");
    if (prop != null) {
      return Path.of(prop);
    }
    for (Path p : List.of(Path.of("/usr/share/openclipart/png"),
        Path.of("target/openclipart/usr/share/openclipart/png"))) {
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    Path work = Path.of("target/openclipart").toAbsolutePath();
    Files.createDirectories(work);
    System.err.println("[openclipart] fetching Debian package openclipart-png into " + work);
    DebianData.run(work, "apt-get", "download", "openclipart-png");
    Path deb;
    try (Stream<Path> s = Files.list(work)) {
      deb = s.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
          .orElseThrow(() -> new IOException("apt-get download produced no .deb"));
    }
    DebianData.run(work, "dpkg", "-x", deb.toString(), work.toString());
    return work.resolve("usr/share/openclipart/png");
  }

  /**
   * @param n how many
   * @param seed sampling seed
   * @param minBytes smallest file size accepted (skips near-empty drawings)
   * @return a deterministic random sample of PNG files
   * @throws IOException on failure
   */
  public static List<Path> sample(int n, long seed, long minBytes) throws IOException {
    List<Path> all;
    try (Stream<Path> s = Files.walk(root())) {
      all = new ArrayList<>(s.filter(p -> p.toString().endsWith(".png")).filter(p -> {
        try {
          return Files.size(p) >= minBytes;
        } catch (IOException e) {
          return false;
        }
      }).sorted().toList());
    }
    Collections.shuffle(all, new Random(seed));
    return all.subList(0, Math.min(n, all.size()));
  }
}
