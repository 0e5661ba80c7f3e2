package io.sightline.posters;

import java.awt.image.BufferedImage;
import java.util.function.Function;

/**
 * Test and tuning helper: computes the importance map's components of an image once, as the
 * composer's analysis does (on the reduced copy, spectral residual), and fuses them with any
 * weights afterwards.
 */
public final class ImportanceAccess {
  private ImportanceAccess() {}

  /**
   * @param image the source image
   * @param analysisSide the composer's analysis side (0 = full image)
   * @return a function from weights to the importance map in the image's pixels
   */
  public static Function<ImportanceMap.Weights, ImportanceMap> components(BufferedImage image, int analysisSide) {
    return components(image, analysisSide, SurroundContrast.SCALES);
  }

  /**
   * @param image the source image
   * @param analysisSide the composer's analysis side (0 = full image)
   * @param scales centre window sides of the surround terms, fractions of the shorter side
   * @return a function from weights to the importance map in the image's pixels
   */
  public static Function<ImportanceMap.Weights, ImportanceMap> components(BufferedImage image, int analysisSide,
      double[] scales) {
    ImportanceMap.Components c = analysed(image, analysisSide, scales);
    return w -> {
      ImportanceMap m = c.fuse(w);
      return new ImportanceMap(m.width(), m.height(), image.getWidth(), image.getHeight(), m.raw());
    };
  }

  /**
   * @param image the source image
   * @param analysisSide the composer's analysis side (0 = full image)
   * @return each normalised component (name to map in the image's pixels), as the default map sees it
   */
  public static java.util.Map<String, ImportanceMap> componentMaps(BufferedImage image, int analysisSide) {
    ImportanceMap.Components c = analysed(image, analysisSide, SurroundContrast.SCALES);
    java.util.Map<String, ImportanceMap> out = new java.util.LinkedHashMap<>();
    String[] names = {"edge", "saturation", "skin", "spectral", "colour", "surround", "edgeSurround", "focus"};
    float[][] maps = {c.edge(), c.saturation(), c.skin(), c.spectral(), c.colour(), c.surround(), c.edgeSurround(),
        c.focus()};
    for (int i = 0; i < names.length; i++) {
      if (maps[i] != null) {
        out.put(names[i], new ImportanceMap(c.width(), c.height(), image.getWidth(), image.getHeight(), maps[i]));
      }
    }
    return out;
  }

  /** The components as the composer's analysis computes them: on the reduced copy, spectral residual, focus cue. */
  private static ImportanceMap.Components analysed(BufferedImage image, int analysisSide, double[] scales) {
    BufferedImage work = analysisSide > 0 ? CvImages.reduced(image, analysisSide) : image;
    SaliencyMap spectral = OpenCvSaliency.spectralResidual().compute(work);
    return ImportanceMap.components(work, spectral, false, scales, true);
  }
}
