package io.sightline.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the data folder of a Debian package for the evaluation programs, the same way
 * {@link OpenClipart} does: a folder named by a system property, then the package unpacked under
 * {@code -Dsightline.debian.root} (a folder holding {@code dpkg -x} output, e.g. {@code
 * /tmp/evaldata/x}), then the installed package under {@code /}, then a copy unpacked earlier under
 * {@code target/debian/PACKAGE}; else it fetches the package itself with {@code apt-get download
 * PACKAGE} and unpacks it with {@code dpkg -x} under {@code target/debian/PACKAGE}. No other
 * source is ever used, and nothing fetched is committed.
 */
public final class DebianData {
  /** The system property naming a folder where Debian packages are unpacked ({@code dpkg -x}). */
  public static final String ROOT_PROPERTY = "sightline.debian.root";

  private static final Logger LOG = LoggerFactory.getLogger(DebianData.class);

  private DebianData() {}

  /**
   * @param property system property that names the folder directly (may be unset)
   * @param pkg Debian package name, e.g. {@code mate-backgrounds}
   * @param inPackage the folder inside the package, e.g. {@code usr/share/backgrounds/mate}
   * @param extra further candidate folders, checked after the installed package
   * @return the existing folder
   * @throws IOException when it cannot be found or fetched
   */
  public static Path folder(String property, String pkg, String inPackage, Path... extra) throws IOException {
    String prop = property == null ? null : System.getProperty(property);
    if (prop != null) {
      Path p = Path.of(prop);
      if (!Files.isDirectory(p)) {
        throw new IOException("-D" + property + "=" + prop + " is not a folder");
      }
      return p;
    }
    List<Path> candidates = new ArrayList<>();
    String root = System.getProperty(ROOT_PROPERTY);
    if (root != null) {
      candidates.add(Path.of(root).resolve(inPackage));
    }
    candidates.add(Path.of("/").resolve(inPackage));
    candidates.addAll(List.of(extra));
    Path work = Path.of("target/debian", pkg).toAbsolutePath();
    candidates.add(work.resolve(inPackage));
    for (Path p : candidates) {
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    fetch(pkg, work);
    Path p = work.resolve(inPackage);
    if (!Files.isDirectory(p)) {
      throw new IOException("package " + pkg + " has no folder " + inPackage);
    }
    return p;
  }

  /**
   * Downloads a package with {@code apt-get download} and unpacks it with {@code dpkg -x}.
   *
   * @param pkg package name
   * @param work folder to download to and unpack into
   * @throws IOException on failure
   */
  static void fetch(String pkg, Path work) throws IOException {
    Files.createDirectories(work);
    LOG.info("fetching Debian package {} into {}", pkg, work);
    run(work, "apt-get", "download", pkg);
    Path deb;
    try (Stream<Path> s = Files.list(work)) {
      deb = s.filter(p -> p.getFileName().toString().startsWith(pkg + "_"))
          .filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
          .orElseThrow(() -> new IOException("apt-get download " + pkg + " produced no .deb"));
    }
    run(work, "dpkg", "-x", deb.toString(), work.toString());
  }

  /** Runs a command in a folder; a non-zero exit is an IOException. Shared with {@link OpenClipart}. */
  static void run(Path dir, String... cmd) throws IOException {
    try {
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).inheritIO().start();
      if (p.waitFor() != 0) {
        throw new IOException(String.join(" ", cmd) + " failed with exit code " + p.exitValue());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
