package io.sightline.posters;

import io.sightline.core.detect.Box;

/**
 * Where a layer went on the poster, and why.
 *
 * @param name layer name
 * @param type "fixed" or "floating"
 * @param content "text", "image" or "extracted"
 * @param box where it was drawn, in poster pixels (null when an extracted layer found nothing)
 * @param region allowed region in poster pixels (the box itself for fixed layers)
 * @param overlap pixels of the merged face-and-salient region the box covers
 * @param variance grey-level variance (in [0,1] units) of the poster under the box before drawing
 * @param candidates how many candidate places were compared (1 for fixed layers)
 */
public record PlacedLayer(String name, String type, String content, Box box, Box region, double overlap,
    double variance, int candidates) {}
