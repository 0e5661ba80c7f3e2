package io.sightline.core.onnx;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Translator input: images packed into one batch tensor.
 *
 * @param images the images, each resized by the translator
 */
record ImageBatch(List<BufferedImage> images) {}
