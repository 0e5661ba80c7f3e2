package io.sightline.models.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds a Debian package's data for the training and evaluation programs: unpacked under
 * {@code -Dsightline.debian.root} ({@code dpkg -x} output), installed under {@code /}, unpacked
 * earlier under {@code target/debian/PACKAGE}; else fetched with {@code apt-get download} and
 * unpacked with {@code dpkg -x} there. Nothing fetched is committed.
 */
final class Debian {
  private Debian() {}

  static Path folder(String pkg, String inPackage) throws IOException, InterruptedException {
    String root = System.getProperty("sightline.debian.root");
    Path work = Path.of("target/debian", pkg).toAbsolutePath();
    for (Path p : root == null ? List.of(Path.of("/").resolve(inPackage), work.resolve(inPackage))
        : List.of(Path.of(root).resolve(inPackage), Path.of("/").resolve(inPackage), work.resolve(inPackage))) {
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    Files.createDirectories(work);
    System.err.println("[debian] fetching " + pkg + " into " + work);
    run(work, "apt-get", "download", pkg);
    Path deb;
    try (Stream<Path> s = Files.list(work)) {
      deb = s.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
          .orElseThrow(() -> new IOException("apt-get download " + pkg + " produced no .deb"));
    }
    run(work, "dpkg", "-x", deb.toString(), work.toString());
    return work.resolve(inPackage);
  }

  private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed with exit code " + p.exitValue());
    }
  }
}
