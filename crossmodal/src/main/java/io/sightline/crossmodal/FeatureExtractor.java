package io.sightline.crossmodal;

import io.sightline.core.ImageDecodeException;
import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.image.ImageOps;
import io.sightline.core.index.Vectors;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Finds the objects of an image and computes their features (claim 6): the regions come from the
 * labelled boxes given with the image, else from an {@link ObjectDetector}, else from a
 * {@code grid x grid} layout; object 0 is always the whole image. Each region's visual feature is
 * the embedder's vector of the region's pixels (the embedder pools the region's content), and its
 * spatial coordinate is its normalised corners and area. Thread-safe when the embedder and
 * detector are.
 */
public final class FeatureExtractor {
  private static final int MIN_CROP = 8;
  private final ImageEmbedder embedder;
  private final ObjectDetector detector;
  private final ImageLoader loader;
  private final int grid;
  private final int maxObjects;
  private final float minDetectionScore;

  /**
   * @param embedder visual features of regions
   * @param detector optional detector (null: none)
   * @param loader image decoding with its limits
   * @param grid cells per side of the fallback grid (1 or more)
   * @param maxObjects most objects per image, whole image included (2 or more)
   * @param minDetectionScore detections below this score are dropped
   */
  public FeatureExtractor(ImageEmbedder embedder, ObjectDetector detector, ImageLoader loader,
      int grid, int maxObjects, float minDetectionScore) {
    this.embedder = Objects.requireNonNull(embedder, "embedder");
    this.detector = detector;
    this.loader = Objects.requireNonNull(loader, "loader");
    if (grid < 1) {
      throw new IllegalArgumentException("grid must be at least 1");
    }
    if (maxObjects < 2) {
      throw new IllegalArgumentException("maxObjects must be at least 2");
    }
    this.grid = grid;
    this.maxObjects = maxObjects;
    this.minDetectionScore = minDetectionScore;
  }

  /** @return the embedder */
  public ImageEmbedder embedder() {
    return embedder;
  }

  /** @return the visual feature length */
  public int visualDim() {
    return embedder.dimension();
  }

  /**
   * @param image image file
   * @param given labelled boxes for it (may be empty)
   * @return its objects and features
   * @throws ImageDecodeException when the image cannot be read
   */
  public ImageFeatures extract(Path image, List<LabeledBox> given) {
    return extract(loader.load(image), given);
  }

  /**
   * @param img decoded image
   * @param given labelled boxes for it (may be empty)
   * @return its objects and features
   */
  public ImageFeatures extract(BufferedImage img, List<LabeledBox> given) {
    int w = img.getWidth();
    int h = img.getHeight();
    List<ImageObject> objects = new ArrayList<>();
    objects.add(new ImageObject(new Box(0, 0, w, h), null, RegionSource.WHOLE_IMAGE));
    if (given != null && !given.isEmpty()) {
      for (LabeledBox b : given) {
        Box c = b.box().clamp(w, h);
        if (c.w() >= 1 && c.h() >= 1 && objects.size() < maxObjects) {
          objects.add(new ImageObject(c, b.label(), RegionSource.GIVEN));
        }
      }
    } else if (detector != null) {
      for (Detection d : detector.detect(img)) {
        Box c = d.box().clamp(w, h);
        if (d.score() >= minDetectionScore && c.w() >= 1 && c.h() >= 1 && objects.size() < maxObjects) {
          objects.add(new ImageObject(c, d.label(), RegionSource.DETECTOR));
        }
      }
    }
    if (objects.size() == 1) {
      for (Box c : gridCells(w, h, grid)) {
        if (objects.size() < maxObjects && grid > 1) {
          objects.add(new ImageObject(c, null, RegionSource.GRID));
        }
      }
    }
    float[][] visual = new float[objects.size()][];
    float[][] spatial = new float[objects.size()][];
    for (int i = 0; i < objects.size(); i++) {
      Box b = objects.get(i).box();
      visual[i] = i == 0 ? embedder.embed(img) : embedder.embed(crop(img, b));
      Vectors.check(visual[i], embedder.dimension());
      spatial[i] = spatial(b, w, h);
    }
    return new ImageFeatures(objects, visual, spatial, w, h);
  }

  static List<Box> gridCells(int w, int h, int grid) {
    List<Box> out = new ArrayList<>();
    double cw = (double) w / grid;
    double ch = (double) h / grid;
    for (int r = 0; r < grid; r++) {
      for (int c = 0; c < grid; c++) {
        out.add(new Box(c * cw, r * ch, cw, ch));
      }
    }
    return out;
  }

  private static BufferedImage crop(BufferedImage img, Box b) {
    int x = (int) Math.floor(b.x());
    int y = (int) Math.floor(b.y());
    int cw = Math.max(1, (int) Math.ceil(b.w()));
    int ch = Math.max(1, (int) Math.ceil(b.h()));
    BufferedImage c = ImageOps.crop(img, x, y, cw, ch);
    if (c.getWidth() < MIN_CROP || c.getHeight() < MIN_CROP) {
      c = ImageOps.resize(c, Math.max(MIN_CROP, c.getWidth()), Math.max(MIN_CROP, c.getHeight()));
    }
    return c;
  }

  static float[] spatial(Box b, int w, int h) {
    return new float[] {(float) (b.x() / w), (float) (b.y() / h), (float) (b.x2() / w),
        (float) (b.y2() / h), (float) (b.area() / ((double) w * h))};
  }
}
