package io.sightline.commerce.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the public-domain image sets the evaluations use: Debian's {@code openclipart-png} and
 * {@code python3-skimage}. Looks in an already extracted tree ({@code -Dsightline.debs=DIR}, default
 * {@code /tmp/deb}: {@code DIR/oc} and {@code DIR/sk}); when absent, fetches the packages with
 * {@code apt-get download} (from the machine's configured Debian mirror, nothing else) and
 * extracts them with {@code dpkg -x}.
 */
final class DebianData {
  private DebianData() {}

  static Path root() {
    return Path.of(System.getProperty("sightline.debs", "/tmp/deb"));
  }

  /** @return the openclipart PNG folder (category sub-folders) */
  static Path openclipart() throws IOException, InterruptedException {
    Path dir = root().resolve("oc/usr/share/openclipart/png");
    if (!Files.isDirectory(dir)) {
      fetch("openclipart-png", root().resolve("oc"));
    }
    return dir;
  }

  /** @return skimage's data folder (NASA / CC0 photos) */
  static Path skimage() throws IOException, InterruptedException {
    Path base = root().resolve("sk/usr/lib/python3/dist-packages/skimage/data");
    if (!Files.isDirectory(base)) {
      fetch("python3-skimage", root().resolve("sk"));
    }
    return base;
  }

  private static void fetch(String pkg, Path into) throws IOException, InterruptedException {
    Path work = Files.createDirectories(root().resolve("download"));
    System.err.println("[data] apt-get download " + pkg + " into " + work);
    run(work, List.of("apt-get", "download", pkg));
    Path deb;
    try (Stream<Path> s = Files.list(work)) {
      deb = s.filter(p -> p.getFileName().toString().startsWith(pkg + "_") && p.toString().endsWith(".deb"))
          .findFirst().orElseThrow(() -> new IOException("apt-get download " + pkg + " produced no .deb"));
    }
    Files.createDirectories(into);
    run(work, List.of("dpkg", "-x", deb.toString(), into.toString()));
  }

  private static void run(Path dir, List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed with exit code " + p.exitValue());
    }
  }
}
