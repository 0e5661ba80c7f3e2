package io.sightline.core.instance;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Finds the stored images that show <em>the same thing</em> as a query image: the same object,
 * poster, product or building in a new photo (other scale, rotation, background, light, partly
 * hidden), with verified evidence for each answer. Global embeddings answer "looks alike";
 * an instance matcher answers "is the same thing" and abstains when nothing stored is in the photo.
 *
 * <p>{@link InstanceIndex} is the implementation on local features. Implementations are
 * thread-safe.
 */
public interface InstanceMatcher {
  /**
   * @param query the query image
   * @param k most results
   * @return up to {@code k} candidates, best first; only those with
   *     {@link InstanceMatch#verified()} are evidence that the object is in the photo
   * @throws NoFeaturesException when the query has too few local features to be matched
   * @throws io.sightline.core.ImageDecodeException on a null or empty image
   */
  List<InstanceMatch> match(BufferedImage query, int k);

  /** @return names what extracts and quantises the features (stored with every index) */
  String id();

  /** @return stored images */
  int size();
}
