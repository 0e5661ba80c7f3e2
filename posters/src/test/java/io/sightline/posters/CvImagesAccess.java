package io.sightline.posters;

import java.nio.file.Path;

/** Test access to the bundled OpenCV resources. */
public final class CvImagesAccess {
  private CvImagesAccess() {}

  public static Path bundled(String resource) {
    return CvImages.bundled(resource);
  }
}
