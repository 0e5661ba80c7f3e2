package io.sightline.core.instance;

import io.sightline.core.SightlineException;

/**
 * An image in which the local-feature extractor finds too few keypoints to match it by instance
 * (a flat colour, a tiny or almost empty picture). It can still be matched by a global embedder.
 */
public class NoFeaturesException extends SightlineException {
  private static final long serialVersionUID = 1L;

  /** @param message what went wrong, naming the image where known */
  public NoFeaturesException(String message) {
    super(message);
  }
}
