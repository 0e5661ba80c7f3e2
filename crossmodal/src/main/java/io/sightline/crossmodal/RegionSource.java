package io.sightline.crossmodal;

/** Where an object region came from. */
public enum RegionSource {
  /** The whole image (always object 0). */
  WHOLE_IMAGE,
  /** A labelled box given in the pairs file or through the API. */
  GIVEN,
  /** An {@link io.sightline.core.detect.ObjectDetector} detection. */
  DETECTOR,
  /** A cell of the fallback grid, used when there are neither boxes nor a detector. */
  GRID
}
