package io.sightline.posters;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

/** Test access to the bundled OpenCV resources and the analysis copy. */
public final class CvImagesAccess {
  private CvImagesAccess() {}

  public static Path bundled(String resource) {
    return CvImages.bundled(resource);
  }

  /** The composer's reduced analysis copy ({@code CvImages.reduced}). */
  public static BufferedImage reduced(BufferedImage img, int side) {
    return CvImages.reduced(img, side);
  }

  /** The face verifier's skin-colour rule ({@code FaceVerifier.isSkin}). */
  public static boolean isSkin(int rgb) {
    return FaceVerifier.isSkin(rgb);
  }
}
