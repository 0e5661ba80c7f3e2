package io.sightline.describer;

/**
 * Where a reference image came from (claim 2: supplementary image information from a network
 * image, a user-inputted image or an image in an external storage device). Recorded with every
 * reference so a caller can audit or purge one kind of source.
 */
public enum Origin {
  /** Bulk import, e.g. {@code refs.jsonl} produced by a crawler. */
  IMPORT,
  /** An image fetched from the network (a URL). */
  NETWORK,
  /** An image a user uploaded or photographed (bytes). */
  USER,
  /** An image in an external or mounted storage device (a file path). */
  EXTERNAL_STORAGE,
  /** A vector computed elsewhere and added directly (no image decoded here). */
  PRECOMPUTED
}
