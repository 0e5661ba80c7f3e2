package io.sightline.benchmarks;

import io.sightline.core.SightlineException;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where the objects and backgrounds of {@link NewShotDataset} come from, and how they are vetted.
 *
 * <ul>
 *   <li>Drawings: Debian {@code openclipart-png} (CC0 / public domain), files of at least 20 KB
 *       with real transparency, enough opaque pixels and enough texture; one file per file name
 *       (the collection repeats some drawings under several categories); never the quarter that
 *       learnt core's visual vocabulary ({@link VocabularyTraining#isVocabularySample}).
 *   <li>Photos: Debian {@code mate-backgrounds} {@code nature/*.jpg} and {@code
 *       abstract/Elephants.jpg} (GPL-2+ per the package's copyright file
 *       /usr/share/doc/mate-backgrounds/copyright; used at evaluation time only, fetched from
 *       Debian, never committed), and scikit-image sample photos (Debian {@code python3-skimage};
 *       public domain or CC0 per their docstrings in {@code skimage/data/_fetchers.py}; four of
 *       them are also in {@code testdata/photos}). The Middlebury stereo pair is not used.
 * </ul>
 *
 * Background photos and drawings are split two ways by fixed seeds; photo objects are cut from
 * other photos, the tune split's from their left halves and the test split's from their right
 * halves. So the two splits share no object and no background.
 */
final class ObjectSources {
  /** Shorter side of a background photo kept in memory, at most. */
  static final int BACKGROUND_SHORT_SIDE = 1200;
  /** Shorter side of a photo that photo objects are cut from, at most. */
  static final int OBJECT_PHOTO_SHORT_SIDE = 960;
  /** Scenes for backgrounds and occluders (mate-backgrounds, then scikit-image). */
  private static final List<String> BACKGROUNDS = List.of("mate:nature/Blinds.jpg", "mate:nature/Dune.jpg",
      "mate:nature/GreenMeadow.jpg", "mate:nature/Storm.jpg", "mate:nature/Wood.jpg", "skimage:astronaut.png",
      "skimage:camera.png", "skimage:chelsea.png", "skimage:coffee.png", "skimage:grass.png", "skimage:gravel.png",
      "skimage:rocket.jpg");
  /**
   * Photos that photo objects are cut from: the tune split uses their left halves, the test split
   * their right ones. Only mate-backgrounds: the scikit-image photos helped learn core's bundled
   * visual vocabulary ({@link VocabularyTraining}), so they serve as backgrounds only.
   */
  private static final List<String> OBJECT_PHOTOS = List.of("mate:abstract/Elephants.jpg", "mate:nature/Aqua.jpg",
      "mate:nature/FreshFlower.jpg", "mate:nature/Garden.jpg", "mate:nature/LadyBird.jpg", "mate:nature/RainDrops.jpg",
      "mate:nature/TwoWings.jpg", "mate:nature/YellowFlower.jpg");

  /**
   * A vetted object.
   *
   * @param id reference id ({@code clip:<category path>/<name>} or {@code photo:<source>@x,y})
   * @param kind {@code clipart} or {@code photo}
   * @param object the object with its transparency (premultiplied ARGB)
   * @param reference the stored image (the object on white)
   */
  record Obj(String id, String kind, BufferedImage object, BufferedImage reference) {}

  private ObjectSources() {}

  /**
   * @param part 0 (tune) or 1 (test)
   * @param minBytes smallest file accepted
   * @return this split's drawings, in a fixed random order
   * @throws IOException when the collection cannot be found or fetched
   */
  static List<Path> clipartFiles(int part, long minBytes) throws IOException {
    Path root = clipartRoot();
    List<Path> all;
    try (Stream<Path> s = Files.walk(root)) {
      all = new ArrayList<>(s.filter(p -> p.toString().endsWith(".png")).sorted().toList());
    }
    Set<String> names = new HashSet<>();
    List<Path> kept = new ArrayList<>();
    for (Path p : all) {
      if (size(p) >= minBytes && !VocabularyTraining.isVocabularySample(p) && names.add(p.getFileName().toString())) {
        kept.add(p);
      }
    }
    Collections.shuffle(kept, new Random(7919));
    List<Path> mine = new ArrayList<>();
    for (int i = part; i < kept.size(); i += 2) {
      mine.add(kept.get(i));
    }
    return mine;
  }

  /** @return the openclipart png folder ({@code -Dopenclipart.dir}, the Debian root, installed, or fetched) */
  static Path clipartRoot() throws IOException {
    return DebianData.folder("openclipart.dir", "openclipart-png", "usr/share/openclipart/png",
        Path.of("target/openclipart/usr/share/openclipart/png"));
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * @param part 0 (tune) or 1 (test)
   * @param loader image loader
   * @return that split's background photos (half of {@link #BACKGROUNDS}, chosen by a fixed
   *     seed), shorter side at most {@value #BACKGROUND_SHORT_SIDE} px
   * @throws IOException when a package cannot be found or fetched
   */
  static List<ShotSynth.Photo> backgrounds(int part, ImageLoader loader) throws IOException {
    List<String> names = new ArrayList<>(BACKGROUNDS);
    Collections.shuffle(names, new Random(11));
    List<ShotSynth.Photo> out = new ArrayList<>();
    for (int i = part; i < names.size(); i += 2) {
      out.add(loadPhoto(names.get(i), BACKGROUND_SHORT_SIDE, loader));
    }
    return out;
  }

  /**
   * @param loader image loader
   * @return the photos that photo objects are cut from, shorter side at most {@value
   *     #OBJECT_PHOTO_SHORT_SIDE} px
   * @throws IOException when a package cannot be found or fetched
   */
  static List<ShotSynth.Photo> objectPhotos(ImageLoader loader) throws IOException {
    List<ShotSynth.Photo> out = new ArrayList<>();
    for (String name : OBJECT_PHOTOS) {
      out.add(loadPhoto(name, OBJECT_PHOTO_SHORT_SIDE, loader));
    }
    return out;
  }

  /** Loads {@code mate:<path>} or {@code skimage:<file>} (from {@code testdata/photos} when it is there). */
  private static ShotSynth.Photo loadPhoto(String name, int maxShortSide, ImageLoader loader) throws IOException {
    String file = name.substring(name.indexOf(':') + 1);
    Path p;
    if (name.startsWith("mate:")) {
      p = DebianData.folder("mate.backgrounds.dir", "mate-backgrounds", "usr/share/backgrounds/mate").resolve(file);
    } else {
      Path testdata = Path.of(System.getProperty("photos.dir", "testdata/photos")).resolve(file);
      p = Files.isRegularFile(testdata) ? testdata
          : DebianData.folder("skimage.dir", "python3-skimage", "usr/lib/python3/dist-packages/skimage/data").resolve(file);
    }
    BufferedImage img = loader.load(p);
    int s = Math.min(img.getWidth(), img.getHeight());
    if (s > maxShortSide) {
      double f = maxShortSide / (double) s;
      img = ImageOps.resize(img, (int) Math.round(img.getWidth() * f), (int) Math.round(img.getHeight() * f));
    }
    return new ShotSynth.Photo(name, img);
  }

  /**
   * Cuts square crops from one half of a photo (left for the tune split, right for the test
   * split) on a grid with a random offset, keeping the textured ones: at least 8 % of the pixels
   * of a 128 px version with a grey step over 8 levels, and a grey standard deviation of at least 20.
   *
   * @param photo source photo
   * @param part 0 (tune: left half) or 1 (test: right half)
   * @param side crop side in pixels
   * @param rnd random source
   * @return the crops as objects (opaque)
   */
  static List<Obj> photoCrops(ShotSynth.Photo photo, int part, int side, Random rnd) {
    BufferedImage img = photo.image();
    int half = img.getWidth() / 2;
    int nx = half / side;
    int ny = img.getHeight() / side;
    int ox = part * half + rnd.nextInt(half - nx * side + 1);
    int oy = rnd.nextInt(img.getHeight() - ny * side + 1);
    List<Obj> out = new ArrayList<>();
    for (int j = 0; j < ny; j++) {
      for (int i = 0; i < nx; i++) {
        int x = ox + i * side;
        int y = oy + j * side;
        BufferedImage crop = ImageOps.crop(img, x, y, side, side);
        double[] t = texture(ShotOps.resizeArgb(crop, 128, 128), 8);
        if (t[0] >= 0.08 && t[1] >= 20) {
          out.add(new Obj("photo:" + photo.name() + "@" + x + "," + y + "," + side, "photo",
              ShotOps.resizeArgb(crop, side, side), crop));
        }
      }
    }
    return out;
  }

  /**
   * Loads and vets one drawing: it must have transparency, an opaque area of at least 15 % of
   * its bounding box, a bounding box of at least 150 px with sides no more than 4 : 1, and enough
   * inner texture (on a quarter-size version, at least 10 % of the opaque pixels with a grey step
   * over 24 levels, and a grey standard deviation of at least 12).
   *
   * @param root the collection's root (for the id)
   * @param file the PNG
   * @param refSide longest side of the reference and of the stored object
   * @param loader image loader
   * @return the object, or empty when it is refused or cannot be decoded
   */
  static Optional<Obj> clipart(Path root, Path file, int refSide, ImageLoader loader) {
    BufferedImage raw;
    try {
      raw = loader.loadRaw(file);
    } catch (SightlineException e) {
      return Optional.empty();
    }
    if (!raw.getColorModel().hasAlpha()) {
      return Optional.empty();
    }
    int w = raw.getWidth();
    int h = raw.getHeight();
    int[] argb = raw.getRGB(0, 0, w, h, null, 0, w);
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    long opaque = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int a = argb[y * w + x] >>> 24;
        if (a > 16) {
          x0 = Math.min(x0, x);
          x1 = Math.max(x1, x);
          y0 = Math.min(y0, y);
          y1 = Math.max(y1, y);
        }
        if (a > 128) {
          opaque++;
        }
      }
    }
    if (x1 < 0 || opaque > 0.97 * w * h) {
      return Optional.empty(); // empty, or no real transparency
    }
    int bw = x1 - x0 + 1;
    int bh = y1 - y0 + 1;
    if (Math.max(bw, bh) < 150 || Math.min(bw, bh) < 0.25 * Math.max(bw, bh) || opaque < 0.15 * bw * bh) {
      return Optional.empty();
    }
    double f = refSide / (double) Math.max(bw, bh);
    BufferedImage obj = ShotOps.resizeArgb(raw.getSubimage(x0, y0, bw, bh),
        Math.max(1, (int) Math.round(bw * f)), Math.max(1, (int) Math.round(bh * f)));
    double[] t = texture(ShotOps.resizeArgb(obj, Math.max(1, obj.getWidth() / 4), Math.max(1, obj.getHeight() / 4)), 24);
    if (t[0] < 0.10 || t[1] < 12) {
      return Optional.empty();
    }
    String rel = root.relativize(file).toString().replace('\\', '/');
    return Optional.of(new Obj("clip:" + rel.substring(0, rel.length() - 4), "clipart", obj, ImageOps.toRgb(obj)));
  }

  /**
   * Texture inside the opaque part of an image: the share of opaque pixels with a strong grey
   * gradient (more than {@code edgeLevel} to a neighbour; the object's outline counts only where
   * it is opaque on both sides) and the grey standard deviation.
   *
   * @param img premultiplied ARGB (or opaque) image
   * @param edgeLevel grey difference that counts as an edge
   * @return {edge share, grey std}
   */
  static double[] texture(BufferedImage img, int edgeLevel) {
    int w = img.getWidth();
    int h = img.getHeight();
    int[] p = ShotOps.pixels(img);
    double n = 0, edges = 0, sum = 0, sum2 = 0;
    for (int y = 0; y + 1 < h; y++) {
      for (int x = 0; x + 1 < w; x++) {
        int c = p[y * w + x];
        int r = p[y * w + x + 1];
        int d = p[(y + 1) * w + x];
        if (alpha(img, c) < 200 || alpha(img, r) < 200 || alpha(img, d) < 200) {
          continue;
        }
        double g = grey(c);
        n++;
        sum += g;
        sum2 += g * g;
        if (Math.abs(g - grey(r)) > edgeLevel || Math.abs(g - grey(d)) > edgeLevel) {
          edges++;
        }
      }
    }
    if (n < 50) {
      return new double[] {0, 0};
    }
    double mean = sum / n;
    return new double[] {edges / n, Math.sqrt(Math.max(0, sum2 / n - mean * mean))};
  }

  private static int alpha(BufferedImage img, int p) {
    return img.getColorModel().hasAlpha() ? p >>> 24 : 255;
  }

  private static double grey(int p) {
    return 0.299 * ((p >> 16) & 255) + 0.587 * ((p >> 8) & 255) + 0.114 * (p & 255);
  }
}
