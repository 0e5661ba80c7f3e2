package io.sightline.crossmodal;

import io.sightline.core.detect.Box;

/**
 * One object of an image as the model sees it.
 *
 * @param box region in pixels
 * @param label label from the pairs file or the detector, or the seed library's nearest standard
 *     text; null when none
 * @param source where the region came from
 */
public record ImageObject(Box box, String label, RegionSource source) {}
