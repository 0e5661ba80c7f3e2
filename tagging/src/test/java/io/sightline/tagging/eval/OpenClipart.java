package io.sightline.tagging.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Locates the openclipart PNG collection for evaluations: an explicit folder, the extracted
 * Debian package at /tmp/deb/oc, or — when neither exists — fetches the Debian package
 * {@code openclipart-png} with {@code apt-get download} and extracts it with {@code dpkg -x}
 * under {@code tagging/target/openclipart}. Never downloads from anywhere else.
 */
final class OpenClipart {
  static final Path DEFAULT = Path.of("/tmp/deb/oc/usr/share/openclipart/png");

  private OpenClipart() {}

  static Path locate(String explicit) throws IOException, InterruptedException {
    if (explicit != null) {
      return Path.of(explicit);
    }
    if (Files.isDirectory(DEFAULT)) {
      return DEFAULT;
    }
    Path target = (Files.isDirectory(Path.of("tagging/target")) ? Path.of("tagging/target/openclipart")
        : Path.of("target/openclipart")).toAbsolutePath();
    Path png = target.resolve("x/usr/share/openclipart/png");
    if (Files.isDirectory(png)) {
      return png;
    }
    Files.createDirectories(target);
    run(target, "apt-get", "download", "openclipart-png");
    Path deb;
    try (Stream<Path> s = Files.list(target)) {
      deb = s.filter(p -> p.getFileName().toString().startsWith("openclipart-png")
          && p.toString().endsWith(".deb")).findFirst()
          .orElseThrow(() -> new IOException("apt-get download produced no openclipart-png .deb"));
    }
    run(target, "dpkg", "-x", deb.toString(), target.resolve("x").toString());
    return png;
  }

  private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed with exit code " + p.exitValue());
    }
  }
}
