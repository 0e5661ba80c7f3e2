package io.sightline.core.instance;

import java.util.Locale;

/**
 * How a capability that matches stored images (describe, product search) finds them. Chosen when
 * a store or catalog is created, recorded in it, and used by the query side without being told;
 * on the command line it is {@code --matcher global|local|hybrid}.
 *
 * <ul>
 *   <li>{@link #GLOBAL}: nearest neighbours of a global embedding (HNSW). With the training-free
 *       default embedder this finds near-copies (rescaled, re-encoded, mildly cropped pictures),
 *       not new photos of the same object. Loads no native library.</li>
 *   <li>{@link #LOCAL}: an {@link InstanceIndex}: only geometrically verified matches count, with
 *       the calibrated instance score. Finds the same object in a new photo (other scale,
 *       rotation, background, light, partly hidden) and abstains when nothing stored is in it;
 *       misses images with too few local features (flat colours, tiny pictures).</li>
 *   <li>{@link #HYBRID}: both: verified instance matches first, then global matches. Keeps the
 *       near-copy and flat-image answers of the global side and adds the new photos.</li>
 * </ul>
 */
public enum Matcher {
  /** Global embedding nearest neighbours only. */
  GLOBAL,
  /** Verified instance matches only. */
  LOCAL,
  /** Verified instance matches first, then global nearest neighbours. */
  HYBRID;

  /**
   * The matcher of new stores and catalogs when none is chosen, in the libraries and the CLI; the
   * one place to change it. HYBRID measured best overall (BENCHMARKS.md, "Instance recognition"):
   * it keeps the global side's near-copies and adds new photos of the same object.
   */
  public static final Matcher DEFAULT = HYBRID;

  /** @return whether this matcher uses an instance index */
  public boolean usesInstances() {
    return this != GLOBAL;
  }

  /** @return whether this matcher uses the global embedding and its index */
  public boolean usesGlobal() {
    return this != LOCAL;
  }

  /** @return the name stored in stores and used on the command line and in JSON: global, local or hybrid */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @param text global, local or hybrid (case and surrounding blanks ignored)
   * @return the matcher
   * @throws IllegalArgumentException naming the accepted values
   */
  public static Matcher parse(String text) {
    if (text != null) {
      String t = text.strip().toLowerCase(Locale.ROOT);
      for (Matcher m : values()) {
        if (m.id().equals(t)) {
          return m;
        }
      }
    }
    throw new IllegalArgumentException("unknown matcher '" + text + "': expected global, local or hybrid");
  }

  @Override
  public String toString() {
    return id();
  }
}
