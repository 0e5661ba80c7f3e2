package io.sightline.posters.eval;

import io.sightline.core.image.ImageLoader;
import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Public-domain data for the evaluations: scikit-image's sample photos (Debian
 * {@code python3-skimage}) as backgrounds and Open Clip Art (Debian {@code openclipart-png}) as
 * subjects. Uses {@code /tmp/deb/{sk,oc}} when already extracted; otherwise runs
 * {@code apt-get download python3-skimage openclipart-png} and {@code dpkg -x} into
 * {@code target/eval-data/} (never any other source).
 */
final class EvalData {
  static final String SK_SUB = "usr/lib/python3/dist-packages/skimage/data";
  static final String OC_SUB = "usr/share/openclipart/png";
  /** Colour or grey photographs without faces, used as backgrounds. */
  static final List<String> BACKGROUNDS = List.of("brick.png", "grass.png", "gravel.png", "coffee.png", "chelsea.png",
      "rocket.jpg", "motorcycle_left.png", "hubble_deep_field.jpg", "camera.png", "moon.png", "coins.png",
      "page.png", "retina.jpg", "ihc.png", "color.png");

  /**
   * The backgrounds that show one object or person of their own (a cup, a cat, a rocket, a
   * motorcycle, a cameraman): a drawing pasted on them competes with a real subject. The others
   * are textures and patterns (brick, grass, gravel, stars, moon, coins, a page, a retina, cells,
   * a colour wheel). Fixed before any breakdown by background was looked at.
   */
  static final java.util.Set<String> WITH_OWN_SUBJECT = java.util.Set.of("coffee.png", "chelsea.png", "rocket.jpg",
      "motorcycle_left.png", "camera.png");
  /** A background photo and its file name. */
  record Background(String name, BufferedImage image) {}

  private EvalData() {}

  static Path skimage() throws IOException, InterruptedException {
    return extracted("python3-skimage", "sk", SK_SUB);
  }

  static Path openclipart() throws IOException, InterruptedException {
    return extracted("openclipart-png", "oc", OC_SUB);
  }

  private static Path extracted(String pkg, String shortName, String sub) throws IOException, InterruptedException {
    Path pre = Path.of("/tmp/deb", shortName, sub);
    if (Files.isDirectory(pre)) {
      return pre;
    }
    Path root = Path.of("target/eval-data").toAbsolutePath();
    Path dest = root.resolve(shortName);
    if (Files.isDirectory(dest.resolve(sub))) {
      return dest.resolve(sub);
    }
    Files.createDirectories(root);
    run(root, "apt-get", "download", pkg);
    Path deb;
    try (Stream<Path> s = Files.list(root)) {
      deb = s.filter(p -> p.getFileName().toString().startsWith(pkg + "_") && p.toString().endsWith(".deb"))
          .findFirst().orElseThrow(() -> new IOException("apt-get download " + pkg + " produced no .deb"));
    }
    run(root, "dpkg", "-x", deb.toString(), dest.toString());
    return dest.resolve(sub);
  }

  private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed with exit code " + p.exitValue());
    }
  }

  static List<BufferedImage> backgrounds(Path skimage) {
    return namedBackgrounds(skimage).stream().map(Background::image).toList();
  }

  /** @return the background photos found, in {@link #BACKGROUNDS} order, with their file names */
  static List<Background> namedBackgrounds(Path skimage) {
    List<Background> out = new ArrayList<>();
    for (String n : BACKGROUNDS) {
      Path p = skimage.resolve(n);
      if (Files.isRegularFile(p)) {
        out.add(new Background(n, ImageOps.toRgb(ImageLoader.defaults().load(p))));
      }
    }
    return out;
  }

  /** @return clip-art PNG paths, sorted (so a seed gives the same sample everywhere) */
  static List<Path> clipart(Path oc) throws IOException {
    try (Stream<Path> s = Files.walk(oc)) {
      return s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
    }
  }
}
